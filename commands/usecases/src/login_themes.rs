//! The named login themes (specs/inspur-idaas.md §2.2, THEME-01): reference data, not state —
//! no endpoint creates, changes or deletes a theme, so the 33 themes of the document are a fixed
//! catalogue here rather than an aggregate. Each name is a look the hosted login page applies: an
//! application whose Inspur details name a theme (`loginTheme`) is shown in that theme's colour,
//! unless its protocol settings carry a login theme of their own (ops/adr/0015).

use domain::application::{AppDetails, ProtocolSettings};
use domain::protocols::LoginTheme;

/// Every theme was created by this account in the document's example (L453-697).
pub const CREATOR: &str = "inspurtest06";

/// A named theme: the document's id, name and creation time, and the look it stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NamedTheme {
    /// 32 upper-case hex characters, as in the document.
    pub id: &'static str,
    pub name: &'static str,
    /// When it was created (and last updated), Unix milliseconds.
    pub created_at: i64,
    /// `#rrggbb`: the hosted login's heading and button colour.
    pub primary_color: &'static str,
}

impl NamedTheme {
    /// The look the hosted login page applies for this theme: its colour, the application's own
    /// name as the title, no logo.
    pub fn look(&self) -> LoginTheme {
        LoginTheme {
            title: None,
            primary_color: Some(self.primary_color.to_string()),
            logo_url: None,
        }
    }
}

/// 2021-09-16 00:00:00 UTC, the day every theme was created.
const CREATION_DAY_UTC_MS: i64 = 1_631_750_400_000;

/// A time of 2021-09-16 on Beijing's wall clock (UTC+8), as the document prints it.
const fn beijing(hour: i64, minute: i64, second: i64) -> i64 {
    CREATION_DAY_UTC_MS + ((hour - 8) * 3600 + minute * 60 + second) * 1000
}

const fn theme(
    id: &'static str,
    name: &'static str,
    (hour, minute, second): (i64, i64, i64),
    primary_color: &'static str,
) -> NamedTheme {
    NamedTheme {
        id,
        name,
        created_at: beijing(hour, minute, second),
        primary_color,
    }
}

/// The catalogue in id order, as THEME-01 lists it. Colours follow the name's family: the
/// Inspur cloud products blue, the government themes red, the industrial-internet ones teal,
/// Yunzhou green, CCSS violet, and one colour of its own for each other theme.
/// (One row per theme, as in the document's table, so rustfmt leaves it alone.)
#[rustfmt::skip]
pub const THEMES: [NamedTheme; 33] = [
    theme("007998CEB4A4428FBE6EA9DE9D41BE4F", "yunzhou-smart", (16, 14, 29), "#388e3c"),
    theme("07263257F8E442C7AE36B18B97D2D5BA", "inspurcloudv3-connect-test", (16, 13, 26), "#3a6ee8"),
    theme("08B3CDA9B03740D38AC3B50AFBBA5ED4", "inspurcloudv3-connect", (16, 12, 23), "#1d4ed8"),
    theme("1086136390EB40228684837E3EF91376", "industrial-internet-connect-lb", (16, 10, 21), "#138d80"),
    theme("1CF7DF08732644BA8D28456D5706BA1F", "inspur", (16, 10, 48), "#005bac"),
    theme("1FD219FFC7BC4EEF93300710DEB49FBB", "zunyi", (16, 14, 42), "#9a3412"),
    theme("3938E2DB075E445681C868C8F3EFEAED", "ccssv1", (16, 7, 5), "#4527a0"),
    theme("41DFFA02E6BC485384C07E897BA7421D", "gov-public", (16, 9, 38), "#d32f2f"),
    theme("42098E29AE084D84A408FCE2C811DE34", "picpv3", (16, 14, 4), "#ad1457"),
    theme("53F8F9803066419E84B4330357E0CBEB", "inspurcloudv3", (16, 12, 10), "#0052d9"),
    theme("5A96152D518F491198A2527F60D7872D", "industrial-internet-connect-gx", (16, 10, 5), "#0d9488"),
    theme("6FE4483EF877462BA93067E5259BF669", "industrial-internet-connect", (16, 9, 53), "#0f766e"),
    theme("74914D1FCA90400AADB60076E2B4AE3A", "chongqingzhengxin", (16, 8, 31), "#c2410c"),
    theme("7A763F5E839047419D6FB0A1EACB27F5", "yunzhou", (16, 14, 17), "#2e7d32"),
    theme("7BE697E464BB487B9416BF5D7861A89B", "inspurcloud-oss", (16, 11, 55), "#2c5282"),
    theme("7F51678A45974F52A4D6DE9D5A65BFE9", "inspurcloudv3-connect-dev", (16, 12, 36), "#2563eb"),
    theme("7F8CF23750A7471C97B408761475D9C1", "inspurcloud-bss", (16, 11, 28), "#2b6cb0"),
    theme("87691BCE3FDA4EEFA9241DA68175E588", "gov-common", (16, 9, 10), "#c8102e"),
    theme("899545EE35C34010AFD4571FC107B27E", "linyi-guotu", (16, 13, 50), "#5b7f1f"),
    theme("9F4F72668F6A40EC98514082BCD8141F", "gly", (16, 8, 56), "#6d4c41"),
    theme("A7CF2FA4E7F549E994FDFF52C92FFB69", "inspurcloudv3-hk", (16, 13, 38), "#0b4f9c"),
    theme("BC25382723234B0DB4C3A235ED43A5B1", "inspurcloudv3-connect-stage", (16, 13, 13), "#1e3a8a"),
    theme("C76A3D9B43CE4F689724835507BEB4A6", "devops", (16, 8, 45), "#334155"),
    theme("C9A7E36C10CE429DB04FCA35B51C1FBE", "ccssv1staging", (16, 8, 1), "#512da8"),
    theme("CCEFF6A6BA334B14ADFC098657489431", "inspurcloudv3-connect-dynamic", (16, 12, 49), "#3b82f6"),
    theme("CD5C2C18682F48D7AB3311023F2A02CF", "inspurcloud-boss", (16, 11, 14), "#1a5fb4"),
    theme("CDE6F31F67304C28B0E717681976C26B", "inspurcloud-bss-dynamic", (16, 11, 41), "#3182ce"),
    theme("EDC7DC870DA04F96806D8E5076845680", "gov-platform", (16, 9, 24), "#b91c1c"),
    theme("F490A4382FAD46229C7A5067A953CEC3", "ccssv1dev", (16, 7, 47), "#5e35b1"),
    theme("F6B97196F0714320BEB4DFD08316784E", "inspurcloud", (16, 10, 59), "#1e6fd9"),
    theme("F6DF476AF3A344B6911C20D683364FFC", "inspurcloudv3-connect-gov", (16, 13, 1), "#1e40af"),
    theme("FBA52E4BE66C4D259684588849A6CB98", "industrial-internet-connect-zjk", (16, 10, 34), "#115e59"),
    theme("FC71328FA9A14F90831394BC4EE0D90D", "ccssv1test", (16, 8, 16), "#673ab7"),
];

/// The theme of this name, if the catalogue has one (names are matched exactly).
pub fn named(name: &str) -> Option<&'static NamedTheme> {
    THEMES.iter().find(|t| t.name == name)
}

/// The look of an application's hosted login: its own login theme when its protocol settings
/// have one, else the catalogue theme its details name, else none (the page's default look; an
/// unknown name is no error — the application was saved with it and still signs in).
pub fn look_of(protocols: &ProtocolSettings, details: &AppDetails) -> Option<LoginTheme> {
    protocols.login_theme.clone().or_else(|| {
        details
            .theme
            .as_deref()
            .and_then(|name| named(name.trim()))
            .map(NamedTheme::look)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn the_catalogue_is_in_id_order_with_distinct_names_and_colours() {
        let ids: Vec<_> = THEMES.iter().map(|t| t.id).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(ids, sorted);
        assert!(ids
            .iter()
            .all(|id| id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())));
        let names: BTreeSet<_> = THEMES.iter().map(|t| t.name).collect();
        let colours: BTreeSet<_> = THEMES.iter().map(|t| t.primary_color).collect();
        assert_eq!((names.len(), colours.len()), (33, 33));
    }

    #[test]
    fn every_look_passes_the_protocol_settings_rules() {
        for theme in &THEMES {
            let protocols = ProtocolSettings {
                login_theme: Some(theme.look()),
                ..Default::default()
            };
            assert!(
                domain::protocols::check(&protocols).is_ok(),
                "{}",
                theme.name
            );
        }
    }

    #[test]
    fn times_are_beijing_wall_clock_instants() {
        // 2021-09-16 16:14:29 at UTC+8 is 08:14:29 UTC.
        assert_eq!(
            named("yunzhou-smart").map(|t| t.created_at),
            Some(1_631_780_069_000)
        );
        assert_eq!(
            named("ccssv1").map(|t| t.created_at),
            Some(1_631_779_625_000)
        );
    }

    #[test]
    fn an_explicit_login_theme_wins_and_an_unknown_name_falls_back() {
        let details = |name: &str| AppDetails {
            theme: Some(name.into()),
            ..Default::default()
        };
        let plain = ProtocolSettings::default();
        let gov = look_of(&plain, &details("gov-public"));
        assert_eq!(
            gov.and_then(|t| t.primary_color).as_deref(),
            Some("#d32f2f")
        );
        assert_eq!(look_of(&plain, &details("no-such-theme")), None);
        assert_eq!(look_of(&plain, &AppDetails::default()), None);
        let own = LoginTheme {
            primary_color: Some("#123456".into()),
            ..Default::default()
        };
        let explicit = ProtocolSettings {
            login_theme: Some(own.clone()),
            ..Default::default()
        };
        assert_eq!(look_of(&explicit, &details("gov-public")), Some(own));
    }
}
