package sysenv

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/windows"
)

func platformFacts(*Inputs) PlatformFacts {
	var pf PlatformFacts
	if v := windows.RtlGetVersion(); v != nil {
		pf.Kernel = fmt.Sprintf("Windows NT %d.%d.%d", v.MajorVersion, v.MinorVersion, v.BuildNumber)
	}
	aa, err := adapters()
	if err != nil {
		pf.Unknown = append(pf.Unknown, "adapters: "+err.Error())
		return pf
	}
	d := DNSEnv{Source: "os"}
	bestMetric := uint32(1<<32 - 1)
	v6 := false
	for a := aa; a != nil; a = a.Next {
		if a.OperStatus != windows.IfOperStatusUp || a.IfType == windows.IF_TYPE_SOFTWARE_LOOPBACK {
			continue
		}
		for s := a.FirstDnsServerAddress; s != nil; s = s.Next {
			if ip := s.Address.IP(); ip != nil {
				d.Servers = append(d.Servers, ip.String())
			}
		}
		for g := a.FirstGatewayAddress; g != nil; g = g.Next {
			ip := g.Address.IP()
			if ip == nil {
				continue
			}
			if ip.To4() == nil {
				v6 = true
				continue
			}
			if a.Ipv4Metric < bestMetric {
				bestMetric = a.Ipv4Metric
				pf.DefaultRoute = &Route{Interface: windows.UTF16PtrToString(a.FriendlyName), Gateway: ip.String()}
			}
		}
	}
	pf.DNS = &d
	pf.IPv6Route = &v6
	return pf
}

func adapters() (*windows.IpAdapterAddresses, error) {
	size := uint32(15 << 10)
	for i := 0; i < 4; i++ {
		buf := make([]byte, size)
		p := (*windows.IpAdapterAddresses)(unsafe.Pointer(&buf[0]))
		err := windows.GetAdaptersAddresses(windows.AF_UNSPEC, windows.GAA_FLAG_INCLUDE_GATEWAYS, 0, p, &size)
		if err == nil {
			return p, nil
		}
		if err != windows.ERROR_BUFFER_OVERFLOW {
			return nil, err
		}
	}
	return nil, windows.ERROR_BUFFER_OVERFLOW
}
