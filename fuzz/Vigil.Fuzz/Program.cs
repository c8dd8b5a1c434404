using SharpFuzz;
using Vigil.Fuzz;

// vigil-fuzz <target>          under afl-fuzz: the SharpFuzz fork server, one input per run from stdin
// vigil-fuzz <target> FILE...  replays inputs (a crash, a corpus) and prints each outcome
// vigil-fuzz list              the target names, one a line (scripts/fuzz.sh reads them)
if (args.Length == 0 || args[0] == "list")
{
    foreach (var name in Targets.Names) Console.WriteLine(name);
    return args.Length == 0 ? 2 : 0;
}
if (!Targets.TryGet(args[0], out var target))
{
    Console.Error.WriteLine($"unknown target '{args[0]}'; targets: {string.Join(", ", Targets.Names)}");
    return 2;
}
if (args.Length > 1)
{
    // Replaying without afl-fuzz: instrumented assemblies still write their coverage somewhere.
    unsafe { SharpFuzz.Common.Trace.SharedMem = (byte*)System.Runtime.InteropServices.NativeMemory.AllocZeroed(1 << 16); }
    var failed = 0;
    foreach (var file in args[1..])
    {
        try
        {
            target(File.ReadAllBytes(file));
            Console.WriteLine($"{file}: ok");
        }
        catch (Exception e)
        {
            failed++;
            Console.WriteLine($"{file}: {e}");
        }
    }
    return failed == 0 ? 0 : 1;
}

// Out of process: afl-fuzz kills a run that hangs past its -t, and on a busy machine even a sound
// run can; SharpFuzz then restarts the child instead of losing the whole campaign.
// One buffer for every input: a run costs the parse, not the copy.
var buffer = new MemoryStream();
Fuzzer.OutOfProcess.Run(stream =>
{
    buffer.SetLength(0);
    stream.CopyTo(buffer);
    target(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
});
return 0;
