//! Which network addresses Probity treats as "this machine" and which it will never
//! fetch from (SPEC.md §10.6). Pure: it classifies host names and addresses it is
//! given and resolves nothing, so the CLI, the nodes and the compact encoder's link
//! form share one answer.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// What kind of address a fetch would reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressClass {
    /// This machine: 127.0.0.0/8, `::1`, or the name `localhost`.
    Loopback,
    /// A private network: 10/8, 172.16/12, 192.168/16, 100.64/10 (carrier-grade NAT),
    /// `fc00::/7` (unique local).
    Private,
    /// Link-local: 169.254/16 (where cloud metadata services live), `fe80::/10`.
    LinkLocal,
    /// Not a unicast destination anyone should fetch from: unspecified, broadcast,
    /// multicast, documentation and reserved ranges.
    Unroutable,
    /// Anything else: an address on the public internet.
    Public,
}

/// Classifies an IP address. An IPv4 address mapped into IPv6 (`::ffff:a.b.c.d`) is
/// classified as the IPv4 address it carries, so it cannot be used to slip a private
/// address past the check.
pub fn classify_ip(ip: IpAddr) -> AddressClass {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => classify_v4(v4),
            None => classify_v6(v6),
        },
    }
}

fn classify_v4(ip: Ipv4Addr) -> AddressClass {
    let [a, b, ..] = ip.octets();
    if ip.is_loopback() {
        AddressClass::Loopback
    } else if ip.is_private() || (a == 100 && (64..128).contains(&b)) {
        AddressClass::Private
    } else if ip.is_link_local() {
        AddressClass::LinkLocal
    } else if ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || a >= 240
    {
        AddressClass::Unroutable
    } else {
        AddressClass::Public
    }
}

fn classify_v6(ip: Ipv6Addr) -> AddressClass {
    let first = ip.segments()[0];
    if ip.is_loopback() {
        AddressClass::Loopback
    } else if first & 0xfe00 == 0xfc00 {
        AddressClass::Private
    } else if first & 0xffc0 == 0xfe80 {
        AddressClass::LinkLocal
    } else if ip.is_unspecified()
        || ip.is_multicast()
        || first == 0x2001 && ip.segments()[1] == 0x0db8
    {
        AddressClass::Unroutable
    } else {
        AddressClass::Public
    }
}

/// Whether a URL's host (as written in the URL: `localhost`, `127.0.0.1`, `[::1]`) is
/// this machine. Only these hosts may be reached over plain `http` (SPEC.md §10.6).
pub fn is_loopback_host(host: &str) -> bool {
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    bare.eq_ignore_ascii_case("localhost")
        || bare
            .parse::<IpAddr>()
            .is_ok_and(|ip| classify_ip(ip) == AddressClass::Loopback)
}

/// The host of an authority (`host`, `host:port`, `[v6]:port`), without its port.
pub fn authority_host(authority: &str) -> &str {
    if authority.starts_with('[') {
        return match authority.find(']') {
            Some(end) => &authority[..=end],
            None => authority,
        };
    }
    authority.split(':').next().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(text: &str) -> AddressClass {
        classify_ip(text.parse().unwrap())
    }

    #[test]
    fn addresses_are_classified_by_where_they_lead() {
        assert_eq!(class("127.0.0.1"), AddressClass::Loopback);
        assert_eq!(class("127.9.8.7"), AddressClass::Loopback);
        assert_eq!(class("::1"), AddressClass::Loopback);
        assert_eq!(class("::ffff:127.0.0.1"), AddressClass::Loopback);
        for private in [
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "100.64.0.1",
            "fd00::1",
            "::ffff:10.0.0.1",
        ] {
            assert_eq!(class(private), AddressClass::Private, "{private}");
        }
        for link in ["169.254.169.254", "fe80::1", "::ffff:169.254.169.254"] {
            assert_eq!(class(link), AddressClass::LinkLocal, "{link}");
        }
        for odd in [
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "192.0.2.1",
            "::",
            "ff02::1",
            "2001:db8::1",
            "240.0.0.1",
        ] {
            assert_eq!(class(odd), AddressClass::Unroutable, "{odd}");
        }
        for public in ["8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:4700::1111"] {
            assert_eq!(class(public), AddressClass::Public, "{public}");
        }
    }

    #[test]
    fn loopback_hosts_as_written_in_urls() {
        for host in [
            "localhost",
            "LOCALHOST",
            "127.0.0.1",
            "127.1.2.3",
            "[::1]",
            "::1",
        ] {
            assert!(is_loopback_host(host), "{host}");
        }
        for host in [
            "localhost.example",
            "10.0.0.1",
            "[fe80::1]",
            "example.org",
            "",
            "127.0.0.1.nip.io",
        ] {
            assert!(!is_loopback_host(host), "{host}");
        }
    }

    #[test]
    fn the_host_of_an_authority_drops_the_port() {
        assert_eq!(authority_host("127.0.0.1:8600"), "127.0.0.1");
        assert_eq!(authority_host("[::1]:8600"), "[::1]");
        assert_eq!(authority_host("[::1]"), "[::1]");
        assert_eq!(authority_host("certs.example"), "certs.example");
    }
}
