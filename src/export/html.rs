//! A self-contained HTML page of links, readable in any browser without
//! Lifeboat. Everything from the session is escaped; the page has no script,
//! loads nothing (its CSP forbids it: no remote favicons that would tell a
//! site when the file is opened) and links only to web addresses.

use super::{utc, Saved};
use crate::model::Millis;
use crate::restore::openable;

const STYLE: &str = "body{font:15px/1.45 system-ui,sans-serif;max-width:60em;margin:2em auto;padding:0 1em;color:#222;background:#fff}\
@media(prefers-color-scheme:dark){body{color:#ddd;background:#1c1b22}a{color:#8cf}}\
h2{margin-top:2em;border-bottom:1px solid #8884}.meta,.url{color:#888;font-size:.85em}.url{word-break:break-all}\
.tag{font-size:.8em;border:1px solid #8886;border-radius:.6em;padding:0 .4em;margin-left:.3em}li{margin:.2em 0}";

/// Text safe inside an element or a quoted attribute.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn plural(n: usize, one: &str) -> String {
    format!("{n} {one}{}", if n == 1 { "" } else { "s" })
}

pub fn write(sessions: &[Saved], exported_at: Millis) -> String {
    let tabs: usize = sessions.iter().map(|s| s.session.tab_count()).sum();
    let mut h = String::new();
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n");
    h.push_str("<meta name=\"referrer\" content=\"no-referrer\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    h.push_str(&format!(
        "<title>Lifeboat sessions, {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        utc(exported_at)
    ));
    h.push_str("<h1>Lifeboat sessions</h1>\n");
    h.push_str(&format!(
        "<p class=\"meta\">Exported {} · {} · {}</p>\n",
        utc(exported_at),
        plural(sessions.len(), "session"),
        plural(tabs, "tab")
    ));
    for s in sessions {
        h.push_str(&format!("<section>\n<h2>{}</h2>\n<p class=\"meta\">", escape(s.name)));
        if let Some(at) = s.saved_at {
            h.push_str(&format!("Saved {} · ", utc(at)));
        }
        h.push_str(&format!(
            "{} · {}</p>\n",
            plural(s.session.windows.len(), "window"),
            plural(s.session.tab_count(), "tab")
        ));
        for (wi, w) in s.session.windows.iter().enumerate() {
            h.push_str(&format!("<h3>Window {} · {}</h3>\n<ol>\n", wi + 1, plural(w.tabs.len(), "tab")));
            for t in &w.tabs {
                let label = escape(if t.title.trim().is_empty() { &t.url } else { &t.title });
                match openable(&t.url) {
                    Ok(Some(url)) if url.starts_with("http://") || url.starts_with("https://") => {
                        h.push_str(&format!("<li><a href=\"{}\" rel=\"noopener noreferrer\">{label}</a>", escape(&url)));
                    }
                    _ => h.push_str(&format!("<li><span>{label}</span>")),
                }
                h.push_str(&format!(" <span class=\"url\">{}</span>", escape(&t.url)));
                if t.pinned {
                    h.push_str(" <span class=\"tag\">pinned</span>");
                }
                if let Some(g) = t.group.and_then(|id| w.groups.iter().find(|g| g.id == id)) {
                    h.push_str(&format!(
                        " <span class=\"tag\">{}</span>",
                        escape(if g.title.is_empty() { "group" } else { &g.title })
                    ));
                }
                if let Some(c) = &t.container {
                    h.push_str(&format!(
                        " <span class=\"tag\">{}</span>",
                        escape(c.name.as_deref().unwrap_or(&c.cookie_store_id))
                    ));
                }
                h.push_str("</li>\n");
            }
            h.push_str("</ol>\n");
        }
        h.push_str("</section>\n");
    }
    h.push_str("</body>\n</html>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Session, Tab, Window};

    #[test]
    fn everything_is_escaped_and_only_web_addresses_link() {
        let tab = |url: &str, title: &str| Tab {
            url: url.into(),
            title: title.into(),
            ..Default::default()
        };
        let s = Session {
            windows: vec![Window {
                tabs: vec![
                    tab("https://a/?q=\"><script>alert(1)</script>", "<img src=x onerror=alert(1)>"),
                    tab("javascript:alert(1)", "js"),
                    tab("data:text/html,<script>alert(1)</script>", "data"),
                    tab("about:config", ""),
                ],
                ..Default::default()
            }],
        };
        let html = write(
            &[Saved {
                name: "<b>&'\"",
                saved_at: Some(0),
                session: &s,
            }],
            0,
        );
        assert!(!html.contains("<script") && !html.contains("<img") && !html.contains("<b>"));
        assert!(html.contains("&lt;b&gt;&amp;&#39;&quot;"));
        assert_eq!(html.matches("<a ").count(), 1);
        assert!(html.contains("href=\"https://a/?q=&quot;&gt;&lt;script&gt;"));
        assert!(!html.contains("href=\"javascript") && !html.contains("href=\"data"));
    }
}
