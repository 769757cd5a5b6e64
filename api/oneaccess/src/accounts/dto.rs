//! Account request and response bodies (Tables 3-111, 3-124, 3-133).

use domain::privilege::ResourceItem;
use projections::app_accounts::AccountRow;
use projections::app_roles::RoleRow;
use projections::privileges::PrivilegeRow;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::body::{flag, text};
use usecases::accounts::AccountRequest;

/// Create (#24, Table 3-111) and update (#25, Table 3-116) bodies; update ignores `user_id`
/// and leaves absent fields as they are.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct AccountBody {
    /// The user the account belongs to: required on create (USER.0061).
    #[serde(default, deserialize_with = "text")]
    pub user_id: Option<String>,
    /// The account's name in the application; on create, the username when absent.
    #[serde(default, deserialize_with = "text")]
    pub account_name: Option<String>,
    /// The display name; on create, the user's name when absent.
    #[serde(default, deserialize_with = "text")]
    pub name: Option<String>,
    /// The code of an application organisation of the application.
    #[serde(default, deserialize_with = "text")]
    pub org_code: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub password: Option<String>,
    /// Also "true" or "false".
    #[serde(default, deserialize_with = "flag")]
    pub disabled: Option<bool>,
    /// Values of the application's account extension attributes (APP_ACCOUNT.0007 for one it
    /// does not define).
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
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
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = RolesInfo)]
pub struct RoleInfo {
    pub role_id: String,
    pub role_code: String,
    pub role_name: String,
    pub privileges: Vec<PrivilegeInfo>,
}

/// `PrivilegeInfo` with its `ResourceItem`s.
#[derive(Debug, Serialize, ToSchema)]
pub struct PrivilegeInfo {
    pub privilege_id: String,
    pub privilege_code: String,
    pub privilege_name: String,
    pub resource_items: Vec<ResourceItemInfo>,
}

/// `ResourceItem` (note `item_parentid`).
#[derive(Debug, Serialize, ToSchema)]
pub struct ResourceItemInfo {
    pub item_id: String,
    pub item_code: String,
    pub item_name: String,
    /// Null for a top-level item.
    #[schema(required = true)]
    pub item_parentid: Option<String>,
}

impl From<ResourceItem> for ResourceItemInfo {
    fn from(item: ResourceItem) -> Self {
        Self {
            item_id: item.item_id,
            item_code: item.item_code,
            item_name: item.item_name,
            item_parentid: item.item_parentid,
        }
    }
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
                    resource_items: p.items.into_iter().map(Into::into).collect(),
                })
                .collect(),
        }
    }
}

/// `AccountDetail`, in the documented field order.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountDetail {
    pub id: String,
    pub account_name: String,
    /// `BASIC_ACCOUNT`, `ORPHAN_ACCOUNT` or `PUBLIC_ACCOUNT`.
    pub account_type: String,
    pub name: String,
    pub disabled: bool,
    /// The application organisation, null when none.
    #[schema(required = true)]
    pub org_id: Option<String>,
    pub roles: Vec<RoleInfo>,
    #[schema(value_type = Object)]
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

/// The account's id.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountIdBody {
    pub account_id: String,
}
