namespace Vigil.Db.Tests;
