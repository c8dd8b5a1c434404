namespace Vigil.Caching.Tests;
