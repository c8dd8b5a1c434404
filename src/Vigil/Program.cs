using Vigil;

return await Cli.RunAsync(args);
