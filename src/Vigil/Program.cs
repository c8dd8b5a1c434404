using Vigil;
using Vigil.Hosting;

InlineIo.Configure();
return await Cli.RunAsync(args);
