namespace Vigil.Proxy;
