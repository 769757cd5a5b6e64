//! The tenant's user-attribute rules: which attributes are required or unique, and the pattern a
//! value must match, keyed by canonical attribute name (ADR 0009).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::tenant::TenantError;

/// Whether one user attribute must be present and whether its value must be unique in the tenant.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AttributeRule {
    pub required: bool,
    pub unique: bool,
    /// A regular expression the whole value must match (besides the built-in format rules).
    pub pattern: Option<String>,
}

/// The most attribute rules a tenant may define, and the compiled size a pattern may take.
pub const MAX_ATTRIBUTE_RULES: usize = 100;
const PATTERN_SIZE_LIMIT: usize = 256 * 1024;

/// A pattern anchored to the whole value; `None` when it is too long, too large or invalid on
/// its own (so `a)|(.*` cannot escape the anchors). Compiled patterns are cached.
pub fn compile_pattern(pattern: &str) -> Option<regex::Regex> {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static CACHE: OnceLock<Mutex<HashMap<String, regex::Regex>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(re) = cache.lock().ok().and_then(|c| c.get(pattern).cloned()) {
        return Some(re);
    }
    let build = |p: &str| {
        regex::RegexBuilder::new(p)
            .size_limit(PATTERN_SIZE_LIMIT)
            .build()
            .ok()
    };
    if pattern.len() > 256 || build(pattern).is_none() {
        return None;
    }
    let anchored = build(&format!("^(?:{pattern})$"))?;
    if let Ok(mut c) = cache.lock() {
        if c.len() < 1024 {
            c.insert(pattern.to_string(), anchored.clone());
        }
    }
    Some(anchored)
}

/// Whether a value matches a rule's pattern in full (a rule without one matches anything).
pub fn matches_pattern(rule: &AttributeRule, value: &str) -> bool {
    match &rule.pattern {
        None => true,
        Some(pattern) => compile_pattern(pattern).is_some_and(|re| re.is_match(value)),
    }
}

/// The tenant's user-attribute definitions, keyed by canonical attribute name (`mobile`,
/// `identity_number`, `extension.age` for an extension attribute; ADR 0009).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserAttributeRules(pub BTreeMap<String, AttributeRule>);

impl Default for UserAttributeRules {
    fn default() -> Self {
        let rule = |required, unique| AttributeRule {
            required,
            unique,
            pattern: None,
        };
        Self(BTreeMap::from([
            ("username".to_string(), rule(true, true)),
            ("mobile".to_string(), rule(true, true)),
            ("email".to_string(), rule(false, true)),
            ("employee_id".to_string(), rule(false, true)),
            ("identity_number".to_string(), rule(false, true)),
        ]))
    }
}

impl UserAttributeRules {
    pub fn rule(&self, attribute: &str) -> AttributeRule {
        self.0.get(attribute).cloned().unwrap_or_default()
    }

    /// Extension attributes the tenant has defined, with their rules.
    pub fn extensions(&self) -> impl Iterator<Item = (&str, AttributeRule)> {
        self.0
            .iter()
            .filter_map(|(k, r)| k.strip_prefix("extension.").map(|name| (name, r.clone())))
    }

    /// The rules keyed by canonical names. Rules written under an attribute's version-1 name
    /// (`attr_identity_number`, as settings were before ADR 0009) are accepted and renamed; two
    /// rules for one attribute both apply (required or unique if either says so), unless their
    /// patterns differ.
    pub fn canonical(self) -> Result<Self, TenantError> {
        let mut rules = BTreeMap::new();
        for (name, rule) in self.0 {
            let name = match crate::user::v1::field_of_v1_name(&name) {
                Some(field) => field.name().to_string(),
                None => name,
            };
            let merged = match rules.remove(&name) {
                None => rule,
                Some(AttributeRule {
                    required,
                    unique,
                    pattern,
                }) => {
                    if pattern.is_some() && rule.pattern.is_some() && pattern != rule.pattern {
                        return Err(TenantError::InvalidPattern(name));
                    }
                    AttributeRule {
                        required: required || rule.required,
                        unique: unique || rule.unique,
                        pattern: pattern.or(rule.pattern),
                    }
                }
            };
            rules.insert(name, merged);
        }
        Ok(Self(rules))
    }
}
