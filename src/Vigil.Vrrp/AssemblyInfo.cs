namespace Vigil.Vrrp;
