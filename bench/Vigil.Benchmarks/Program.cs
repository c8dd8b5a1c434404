using BenchmarkDotNet.Running;

// Micro-benchmarks of Vigil's hot paths. Run, for example:
//   dotnet run -c Release --project bench/Vigil.Benchmarks -- --filter '*SchedulerPick*' --job short
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
