//! What a government directory keeps about an organisation (specs/oneaccess-sdk-and-hainan-uaa.md
//! §2.1 "Common types", §2.2 003-17, §2.3): its type (an agency unit, an internal department, a
//! virtual node for a sector line or an administrative division, a virtual or temporary
//! organisation), its administrative division, unified social credit code, address and contact,
//! the unit's full name, sector line and department level, and free extended attributes. Part of
//! an organisation's details; every dialect sees the same values.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The organisation types of the seeds (`orgType`). `GOV_TEMPORARY` names the 临时组织 the
/// document mentions without a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OrgType {
    #[serde(rename = "GOV_HOLLOW_STRIP_NODE")]
    HollowStripNode,
    #[serde(rename = "GOV_UNIT")]
    Unit,
    #[serde(rename = "GOV_HOLLOW_DIVISION_NODE")]
    HollowDivisionNode,
    #[serde(rename = "GOV_INTERNAL_INSTITUTION")]
    InternalInstitution,
    #[serde(rename = "GOV_VIRTUAL")]
    Virtual,
    #[serde(rename = "GOV_TEMPORARY")]
    Temporary,
}

impl OrgType {
    pub const ALL: [OrgType; 6] = [
        Self::HollowStripNode,
        Self::Unit,
        Self::HollowDivisionNode,
        Self::InternalInstitution,
        Self::Virtual,
        Self::Temporary,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::HollowStripNode => "GOV_HOLLOW_STRIP_NODE",
            Self::Unit => "GOV_UNIT",
            Self::HollowDivisionNode => "GOV_HOLLOW_DIVISION_NODE",
            Self::InternalInstitution => "GOV_INTERNAL_INSTITUTION",
            Self::Virtual => "GOV_VIRTUAL",
            Self::Temporary => "GOV_TEMPORARY",
        }
    }

    pub fn of_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.code() == code)
    }
}

/// The government profile of an organisation; absent fields are unknown.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GovProfile {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org_type: Option<OrgType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub area_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub area_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unified_social_credit_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contacts: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_tel: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_tel_area_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub belong_line: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department_level: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zip_code: Option<String>,
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub extend_map: Map<String, Value>,
}

/// Why a government profile was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GovProfileError {
    #[error("{0} is at most {1} characters")]
    TooLong(&'static str, usize),
    #[error("unified_social_credit_code is 18 characters of 0-9 and A-Y without I, O, S, V, Z")]
    CreditCode,
    #[error("{0} is required for an organisation of type {1}")]
    Required(&'static str, &'static str),
    #[error("extend_map holds at most 50 attributes and 4096 characters")]
    ExtendMap,
}

impl GovProfile {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// This profile with `change` applied: given fields replace, absent ones stay; a given
    /// `extend_map` replaces the whole map.
    pub fn with(&self, change: &GovProfile) -> Self {
        let pick = |new: &Option<String>, old: &Option<String>| new.clone().or(old.clone());
        Self {
            org_type: change.org_type.or(self.org_type),
            area_code: pick(&change.area_code, &self.area_code),
            area_name: pick(&change.area_name, &self.area_name),
            unified_social_credit_code: pick(
                &change.unified_social_credit_code,
                &self.unified_social_credit_code,
            ),
            address: pick(&change.address, &self.address),
            contacts: pick(&change.contacts, &self.contacts),
            contact_tel: pick(&change.contact_tel, &self.contact_tel),
            contact_tel_area_code: pick(&change.contact_tel_area_code, &self.contact_tel_area_code),
            unit_name: pick(&change.unit_name, &self.unit_name),
            belong_line: pick(&change.belong_line, &self.belong_line),
            department_level: pick(&change.department_level, &self.department_level),
            zip_code: pick(&change.zip_code, &self.zip_code),
            extend_map: if change.extend_map.is_empty() {
                self.extend_map.clone()
            } else {
                change.extend_map.clone()
            },
        }
    }

    /// The rules of 003-17: lengths, the credit code's form, and what a type requires (a unit
    /// or temporary organisation its full name and sector line, a unit its department level, a
    /// sector-line node its line).
    pub fn check(&self) -> Result<(), GovProfileError> {
        let fields: [(&'static str, &Option<String>, usize); 11] = [
            ("area_code", &self.area_code, 32),
            ("area_name", &self.area_name, 100),
            (
                "unified_social_credit_code",
                &self.unified_social_credit_code,
                18,
            ),
            ("address", &self.address, 200),
            ("contacts", &self.contacts, 50),
            ("contact_tel", &self.contact_tel, 32),
            ("contact_tel_area_code", &self.contact_tel_area_code, 16),
            ("unit_name", &self.unit_name, 200),
            ("belong_line", &self.belong_line, 64),
            ("department_level", &self.department_level, 64),
            ("zip_code", &self.zip_code, 16),
        ];
        for (name, value, max) in fields {
            if value.as_ref().is_some_and(|v| v.chars().count() > max) {
                return Err(GovProfileError::TooLong(name, max));
            }
        }
        if let Some(code) = &self.unified_social_credit_code {
            let allowed =
                |c: char| c.is_ascii_digit() || (c.is_ascii_uppercase() && !"IOSVZ".contains(c));
            if code.chars().count() != 18 || !code.chars().all(allowed) {
                return Err(GovProfileError::CreditCode);
            }
        }
        let text = Value::Object(self.extend_map.clone()).to_string();
        if self.extend_map.len() > 50 || text.chars().count() > 4096 {
            return Err(GovProfileError::ExtendMap);
        }
        let Some(kind) = self.org_type else {
            return Ok(());
        };
        let needs = |name: &'static str, value: &Option<String>| match value {
            Some(_) => Ok(()),
            None => Err(GovProfileError::Required(name, kind.code())),
        };
        if matches!(kind, OrgType::Unit | OrgType::Temporary) {
            needs("unit_name", &self.unit_name)?;
        }
        if matches!(
            kind,
            OrgType::Unit | OrgType::Temporary | OrgType::HollowStripNode
        ) {
            needs("belong_line", &self.belong_line)?;
        }
        if kind == OrgType::Unit {
            needs("department_level", &self.department_level)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit() -> GovProfile {
        GovProfile {
            org_type: Some(OrgType::Unit),
            unit_name: Some("海口市商务局".into()),
            belong_line: Some("商务".into()),
            department_level: Some("正处级".into()),
            unified_social_credit_code: Some("11460100MB1234567X".into()),
            ..GovProfile::default()
        }
    }

    #[test]
    fn a_unit_needs_its_name_line_and_level() {
        assert_eq!(unit().check(), Ok(()));
        let without_level = GovProfile {
            department_level: None,
            ..unit()
        };
        assert_eq!(
            without_level.check(),
            Err(GovProfileError::Required("department_level", "GOV_UNIT"))
        );
        let virtual_node = GovProfile {
            org_type: Some(OrgType::Virtual),
            ..GovProfile::default()
        };
        assert_eq!(virtual_node.check(), Ok(()));
    }

    #[test]
    fn credit_codes_have_the_national_form() {
        for bad in [
            "11460100MB1234567",
            "11460100MB1234567I",
            "1146010OMB1234567X",
        ] {
            let profile = GovProfile {
                unified_social_credit_code: Some(bad.into()),
                ..GovProfile::default()
            };
            assert_eq!(profile.check(), Err(GovProfileError::CreditCode), "{bad}");
        }
    }

    #[test]
    fn changes_replace_given_fields_only_and_the_wire_names_are_the_seeds() {
        let change = GovProfile {
            area_name: Some("海口市".into()),
            ..GovProfile::default()
        };
        let merged = unit().with(&change);
        assert_eq!(merged.area_name.as_deref(), Some("海口市"));
        assert_eq!(merged.unit_name.as_deref(), Some("海口市商务局"));
        let json = serde_json::to_value(OrgType::HollowDivisionNode).unwrap();
        assert_eq!(json, "GOV_HOLLOW_DIVISION_NODE");
        assert_eq!(OrgType::of_code("GOV_TEMPORARY"), Some(OrgType::Temporary));
        assert_eq!(serde_json::to_string(&GovProfile::default()).unwrap(), "{}");
    }
}
