//! Sites the user excluded from typed-text keeping, compared as the browser
//! writes a tab's host: ASCII (punycode), lower-case, no port, no trailing dot.

use crate::settings::Settings;

/// The host an exclusion entry means: `https://bank.example/login`,
/// `bank.example/`, `BANK.example.`, `*.bank.example` and `bank.example:8443`
/// all give `bank.example`; `bücher.de` gives `xn--bcher-kva.de`. An entry
/// stands for its host and every subdomain, so `*.` adds nothing and goes.
pub fn normalise_site(entry: &str) -> Result<String, String> {
    let unreadable = |why: &str| Err(format!("“{}” is not a site: {why}", entry.trim()));
    let mut s = entry.trim();
    if let Some((scheme, rest)) = s.split_once("://") {
        if scheme.is_empty() || !scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) {
            return unreadable("it does not start with a web address's scheme");
        }
        s = rest;
    }
    let s = s.split(['/', '?', '#', '\\']).next().unwrap_or("");
    let s = s.rsplit('@').next().unwrap_or(s); // user:password@
    let host = match s.strip_prefix('[') {
        // An IPv6 address: kept as written, lower-case.
        Some(v6) => match v6.split_once(']') {
            Some((addr, port)) if !addr.is_empty() && addr.chars().all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.') && valid_port(port) => {
                return Ok(format!("[{}]", addr.to_ascii_lowercase()));
            }
            _ => return unreadable("a bracketed address must be an IPv6 address"),
        },
        None => match s.rsplit_once(':') {
            Some((host, port)) if valid_port(&format!(":{port}")) => host,
            Some(_) => return unreadable("what follows “:” is not a port"),
            None => s,
        },
    };
    let host = host.strip_prefix("*.").unwrap_or(host);
    let host = host.strip_suffix('.').unwrap_or(host);
    if host.is_empty() {
        return unreadable("it names no host");
    }
    let Some(ascii) = host_to_ascii(host) else {
        return unreadable("it is not a valid host name");
    };
    // What a browser could show as a tab's host: letters, digits, '-', '_'
    // in non-empty labels (punycode is letters, digits and '-').
    let label_ok = |l: &str| !l.is_empty() && l.len() <= 63 && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ascii.is_empty() || ascii.len() > 253 || !ascii.split('.').all(label_ok) {
        return unreadable("it is not a valid host name");
    }
    Ok(ascii)
}

/// A host as a browser writes it (UTS 46 mapping + punycode): the idna
/// crate where it is built in (native, the pages' module), else the URL
/// parser the browser edge registered (the background's module, which goes
/// without idna's 141 KB); plain ASCII is only lower-cased then.
fn host_to_ascii(host: &str) -> Option<String> {
    #[cfg(feature = "unicode-hosts")]
    {
        idna::domain_to_ascii_cow(host.as_bytes(), idna::AsciiDenyList::URL)
            .ok()
            .map(|a| a.into_owned())
    }
    #[cfg(not(feature = "unicode-hosts"))]
    {
        if host.is_ascii() {
            return Some(host.to_ascii_lowercase());
        }
        HOST_TO_ASCII.get().and_then(|f| f(host))
    }
}

#[cfg(not(feature = "unicode-hosts"))]
static HOST_TO_ASCII: std::sync::OnceLock<fn(&str) -> Option<String>> = std::sync::OnceLock::new();

/// Registers the browser's host parser (`new URL("http://" + host).hostname`)
/// for builds without the idna crate; without one, non-ASCII entries are
/// refused as unreadable.
#[cfg(not(feature = "unicode-hosts"))]
pub fn set_host_to_ascii(f: fn(&str) -> Option<String>) {
    let _ = HOST_TO_ASCII.set(f);
}

fn valid_port(rest: &str) -> bool {
    rest.is_empty() || rest.strip_prefix(':').is_some_and(|p| p.len() <= 5 && p.chars().all(|c| c.is_ascii_digit()))
}

/// Rewrites the exclusion list in normalised form, without duplicates.
/// Returns the entries that could not be read (they are dropped: they could
/// never match a page).
pub fn normalise_settings(settings: &mut Settings) -> Vec<String> {
    let mut kept: Vec<String> = Vec::new();
    let mut unreadable = Vec::new();
    for entry in &settings.excluded_sites {
        if entry.trim().is_empty() {
            continue;
        }
        match normalise_site(entry) {
            Ok(host) if !kept.contains(&host) => kept.push(host),
            Ok(_) => {}
            Err(_) => unreadable.push(entry.clone()),
        }
    }
    settings.excluded_sites = kept;
    unreadable
}

/// The host of a page URL as the browser gives it (ASCII already), lower-case,
/// without user, port or trailing dot.
pub fn url_host(url: &str) -> String {
    let after = url.split_once("://").map_or("", |(_, rest)| rest);
    let authority = after.split(['/', '?', '#']).next().unwrap_or("");
    let hostport = authority.rsplit('@').next().unwrap_or(authority);
    let host = if hostport.starts_with('[') {
        hostport.split_inclusive(']').next().unwrap_or(hostport)
    } else {
        hostport.split(':').next().unwrap_or(hostport)
    };
    host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase()
}

/// The exclusion entry (normalised) that covers `host`, if any. Entries are
/// normalised here too: settings stored by an earlier build were not.
pub fn excluded_by(host: &str, settings: &Settings) -> Option<String> {
    settings
        .excluded_sites
        .iter()
        .filter_map(|e| normalise_site(e).ok())
        .find(|site| host == site || host.strip_suffix(site.as_str()).is_some_and(|sub| sub.ends_with('.')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_of_one_site() {
        for entry in [
            "bank.example",
            "https://bank.example",
            "https://bank.example/login?next=/",
            "http://user:pw@bank.example:8443/",
            "bank.example/",
            "BANK.example.",
            "*.bank.example",
            "  bank.example  ",
            "bank.example:443",
        ] {
            assert_eq!(normalise_site(entry).as_deref(), Ok("bank.example"), "{entry}");
        }
        assert_eq!(normalise_site("bücher.de").as_deref(), Ok("xn--bcher-kva.de"));
        assert_eq!(normalise_site("https://BÜCHER.de/").as_deref(), Ok("xn--bcher-kva.de"));
        assert_eq!(normalise_site("xn--bcher-kva.de").as_deref(), Ok("xn--bcher-kva.de"));
        assert_eq!(normalise_site("192.168.0.1:8080").as_deref(), Ok("192.168.0.1"));
        assert_eq!(normalise_site("http://[::1]:8080/").as_deref(), Ok("[::1]"));
        assert_eq!(normalise_site("localhost").as_deref(), Ok("localhost"));
    }

    #[test]
    fn garbage_is_refused_with_a_reason() {
        for entry in [
            "",
            "   ",
            "*.",
            "https://",
            "bank example",
            "bank..example",
            "ba!nk.example",
            "bank.example:http",
            "[zz]",
            "://x",
        ] {
            let msg = normalise_site(entry).expect_err(entry);
            assert!(msg.contains("is not a site"), "{entry}: {msg}");
        }
    }

    #[test]
    fn settings_are_rewritten_and_unreadable_entries_returned() {
        let mut s = Settings {
            excluded_sites: vec![
                "https://Bank.example/".into(),
                "bank.example".into(),
                "bücher.de".into(),
                "no way".into(),
                " ".into(),
            ],
            ..Settings::default()
        };
        assert_eq!(normalise_settings(&mut s), vec!["no way".to_string()]);
        assert_eq!(s.excluded_sites, vec!["bank.example".to_string(), "xn--bcher-kva.de".to_string()]);
    }

    #[test]
    fn hosts_of_urls() {
        assert_eq!(url_host("https://user@Mail.Example.com.:8443/x?y#z"), "mail.example.com");
        assert_eq!(url_host("http://[::1]:80/"), "[::1]");
        assert_eq!(url_host("https://xn--bcher-kva.de/"), "xn--bcher-kva.de");
    }
}
