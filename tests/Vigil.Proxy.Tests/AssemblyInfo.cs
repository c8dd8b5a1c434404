namespace Vigil.Proxy.Tests;
