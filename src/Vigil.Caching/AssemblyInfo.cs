namespace Vigil.Caching;
