//! The hosted pages, rendered on the server as plain HTML forms (no JavaScript needed). Every
//! value placed in a page is escaped.

use domain::protocols::LoginTheme;

use crate::i18n::Lang;

pub use xml_dsig::escape;

/// How a page looks: the application's theme, or the plain default.
#[derive(Debug, Clone, Default)]
pub struct Look {
    pub title: Option<String>,
    pub color: Option<String>,
    pub logo: Option<String>,
}

impl Look {
    pub fn of(app_name: Option<&str>, theme: Option<&LoginTheme>) -> Self {
        Self {
            title: theme
                .and_then(|t| t.title.clone())
                .or_else(|| app_name.map(str::to_string)),
            color: theme.and_then(|t| t.primary_color.clone()),
            logo: theme.and_then(|t| t.logo_url.clone()),
        }
    }
}

/// A whole page around `body`.
pub fn page(lang: Lang, look: &Look, heading: &str, body: &str) -> String {
    let color = look.color.as_deref().unwrap_or("#1f5fbf");
    let logo = look
        .logo
        .as_ref()
        .map(|url| format!(r#"<img class="logo" src="{}" alt="">"#, escape(url)))
        .unwrap_or_default();
    let title = look.title.as_deref().unwrap_or("idaas");
    format!(
        r#"<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{heading} · {title}</title>
<style>
body {{ font-family: system-ui, sans-serif; background: #f4f6f9; margin: 0; }}
main {{ max-width: 22rem; margin: 4rem auto; background: #fff; padding: 2rem; border-radius: 8px; box-shadow: 0 1px 4px rgba(0,0,0,.1); }}
h1 {{ font-size: 1.3rem; color: {color}; }}
label {{ display: block; margin: .8rem 0 .2rem; }}
input[type=text], input[type=password] {{ width: 100%; box-sizing: border-box; padding: .5rem; }}
button {{ margin-top: 1.2rem; width: 100%; padding: .6rem; background: {color}; color: #fff; border: 0; border-radius: 4px; font-size: 1rem; }}
.error {{ color: #b00020; }}
.logo {{ max-height: 3rem; }}
nav {{ margin-top: 1.5rem; font-size: .85rem; }}
</style>
</head>
<body>
<main>
{logo}
<p>{title}</p>
<h1>{heading}</h1>
{body}
</main>
</body>
</html>
"#,
        lang = lang.code(),
        heading = escape(heading),
        title = escape(title),
        color = escape(color),
    )
}

pub fn error_line(message: Option<&str>) -> String {
    message
        .map(|m| format!(r#"<p class="error" role="alert">{}</p>"#, escape(m)))
        .unwrap_or_default()
}

pub fn hidden(name: &str, value: &str) -> String {
    format!(
        r#"<input type="hidden" name="{}" value="{}">"#,
        escape(name),
        escape(value)
    )
}

/// Links that show the same page in the other language.
pub fn language_links(path_and_query_without_lang: &str) -> String {
    let sep = if path_and_query_without_lang.contains('?') {
        '&'
    } else {
        '?'
    };
    format!(
        r#"<nav><a href="{p}{sep}lang=zh">中文</a> · <a href="{p}{sep}lang=en">English</a></nav>"#,
        p = escape(path_and_query_without_lang)
    )
}
