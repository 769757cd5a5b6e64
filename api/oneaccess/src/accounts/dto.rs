//! Account request and response bodies (Tables 3-111, 3-124, 3-133).

use domain::privilege::ResourceItem;
use projections::app_accounts::AccountRow;
use projections::app_roles::RoleRow;
use projections::privileges::PrivilegeRow;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::body::{flag, text};
use usecases::accounts::AccountRequest;

/// Create (#24) and update (#25) bodies; update ignores `user_id`.
#[derive(Debug, Default, Deserialize)]
pub struct AccountBody {
    #[serde(default, deserialize_with = "text")]
    pub user_id: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub account_name: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub org_code: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub password: Option<String>,
    #[serde(default, deserialize_with = "flag")]
    pub disabled: Option<bool>,
    #[serde(default)]
    pub extension: Option<Map<String, Value>>,
}

impl From<AccountBody> for AccountRequest {
    fn from(body: AccountBody) -> Self {
        Self {
            user_id: body.user_id,
            account_name: body.account_name,
            name: body.name,
            org_code: body.org_code,
            password: body.password,
            disabled: body.disabled,
            extension: body.extension,
        }
    }
}

/// `RolesInfo`: the role with the privileges it carries.
#[derive(Debug, Serialize)]
pub struct RoleInfo {
    pub role_id: String,
    pub role_code: String,
    pub role_name: String,
    pub privileges: Vec<PrivilegeInfo>,
}

/// `PrivilegeInfo` with its `ResourceItem`s (note `item_parentid`).
#[derive(Debug, Serialize)]
pub struct PrivilegeInfo {
    pub privilege_id: String,
    pub privilege_code: String,
    pub privilege_name: String,
    pub resource_items: Vec<ResourceItem>,
}

impl RoleInfo {
    pub fn new(row: RoleRow, privileges: Vec<PrivilegeRow>) -> Self {
        Self {
            role_id: row.role_id,
            role_code: row.code,
            role_name: row.name,
            privileges: privileges
                .into_iter()
                .map(|p| PrivilegeInfo {
                    privilege_id: p.privilege_id,
                    privilege_code: p.code,
                    privilege_name: p.name,
                    resource_items: p.items,
                })
                .collect(),
        }
    }
}

/// `AccountDetail`, in the documented field order.
#[derive(Debug, Serialize)]
pub struct AccountDetail {
    pub id: String,
    pub account_name: String,
    pub account_type: String,
    pub name: String,
    pub disabled: bool,
    pub org_id: Option<String>,
    pub roles: Vec<RoleInfo>,
    pub extension: Map<String, Value>,
}

impl AccountDetail {
    pub fn new(row: AccountRow, roles: Vec<RoleInfo>) -> Self {
        Self {
            id: row.account_id,
            account_name: row.account_name,
            account_type: row.account_type,
            name: row.name,
            disabled: row.disabled,
            org_id: row.org_id,
            roles,
            extension: row.extension,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct AccountIdBody {
    pub account_id: String,
}
