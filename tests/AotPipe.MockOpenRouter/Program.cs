System.Console.WriteLine("mock");
