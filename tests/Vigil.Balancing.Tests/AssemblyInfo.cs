namespace Vigil.Balancing.Tests;
