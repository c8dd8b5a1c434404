namespace Vigil.Vrrp.Tests;
