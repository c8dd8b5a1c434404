namespace Vigil.Tests;
