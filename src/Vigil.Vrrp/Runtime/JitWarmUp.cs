using System.Reflection;
using System.Runtime.CompilerServices;

namespace Vigil.Vrrp.Runtime;

/// <summary>
/// Compiles this assembly's methods before their first call. A backup runs its takeover path (election to Master,
/// the first advert it ever sends, address take, gratuitous ARP) for the first time at the takeover itself, and
/// JIT-compiling it there delayed the takeover advert: last advert heard → takeover advert on the wire 363.0–364.2 ms
/// without, 362.2–362.6 ms with (Master_Down_Interval 360.9 ms, bench/vrrp-failover.sh at 100 ms; keepalived
/// 361.0 ms). Once per process, before the first instance starts.
/// </summary>
internal static class JitWarmUp
{
    private static int _done;

    /// <summary>Compiles, the first time only; how long it took (zero after the first call).</summary>
    public static TimeSpan Run()
    {
        if (Interlocked.Exchange(ref _done, 1) != 0)
        {
            return TimeSpan.Zero;
        }
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        const BindingFlags All = BindingFlags.DeclaredOnly | BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic;
        Type?[] types;
        try
        {
            types = typeof(JitWarmUp).Assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException ex)
        {
            types = ex.Types; // whatever loaded; the rest compiles at first call, as it always could
        }
        foreach (var type in types)
        {
            if (type is null)
            {
                continue;
            }
            if (type.ContainsGenericParameters || type.IsInterface)
            {
                continue;
            }
            foreach (var method in type.GetMethods(All).Cast<MethodBase>().Concat(type.GetConstructors(All)))
            {
                if (method.IsAbstract || method.ContainsGenericParameters || (method.MethodImplementationFlags & MethodImplAttributes.InternalCall) != 0)
                {
                    continue;
                }
                try
                {
                    RuntimeHelpers.PrepareMethod(method.MethodHandle);
                }
                catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or NotSupportedException or TypeLoadException)
                {
                    // A method the runtime cannot compile ahead (P/Invoke stubs and the like) compiles at first call.
                }
            }
        }
        return System.Diagnostics.Stopwatch.GetElapsedTime(started);
    }
}
