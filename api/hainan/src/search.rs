//! Seed 004 organisation searches (specs/oneaccess-sdk-and-hainan-uaa.md §2.3, §4.1.19): orgUnit
//! (004-6, the unit an organisation belongs to: the nearest `GOV_UNIT` of itself and its
//! ancestors; none is `ERR_DATA_NOT_FOUND`) and orgSearch (004-8: the keyword a part of the name
//! (`NAME`, the default) or of the full name path (`FULL_NAME_PATH`), or exactly the type
//! (`ORG_TYPE`) or credit code (`UNIFIED_SOCIAL_CREDIT_CODE`); `includeOrgIdScope` keeps the
//! subtrees of those organisations, `excludeOrgIdScope` leaves theirs out,
//! `includeDirectOrgIdScope` keeps those organisations only; the page carries its rows as
//! `records` (the table) and `record` (the example)).

use projections::organs;
use projections::uaa::{self, Keyword, Search};
use serde_json::{json, Value};
use usecases::AppState;

use crate::caller::Call;
use crate::envelope::HainanError;
use crate::input::{page_object, Body};
use crate::views;

/// 004-6 `orgUnit`.
pub async fn unit(state: &AppState, call: &Call, body: &Body) -> Result<Value, HainanError> {
    let org_id = body.required("orgId")?;
    let organ = organs::get(state.pool(), &call.tenant_id, &org_id)
        .await?
        .ok_or_else(|| HainanError::not_found("the organisation"))?;
    let unit = uaa::unit_of(state.pool(), &call.tenant_id, &organ)
        .await?
        .ok_or_else(|| HainanError::not_found("a unit above the organisation"))?;
    let gov = &unit.gov;
    Ok(json!({
        "orgId": unit.org_id,
        "orgName": unit.name,
        "orgType": gov.org_type.map(|t| t.code()),
        "pathFullName": unit.name_path,
        "areaCode": gov.area_code,
        "areaName": gov.area_name,
        "unifiedSocialCreditCode": gov.unified_social_credit_code,
    }))
}

fn keyword_kind(text: Option<&str>) -> Result<Keyword, HainanError> {
    match text {
        None | Some("NAME") => Ok(Keyword::Name),
        Some("FULL_NAME_PATH") => Ok(Keyword::FullNamePath),
        Some("ORG_TYPE") => Ok(Keyword::OrgType),
        Some("UNIFIED_SOCIAL_CREDIT_CODE") => Ok(Keyword::CreditCode),
        Some(_) => Err(HainanError::invalid(
            "keywordType",
            "NAME, FULL_NAME_PATH, ORG_TYPE or UNIFIED_SOCIAL_CREDIT_CODE",
        )),
    }
}

/// 004-8 `orgSearch`.
pub async fn orgs(state: &AppState, call: &Call, body: &Body) -> Result<Value, HainanError> {
    let page = body.page()?;
    let kind = keyword_kind(body.text("keywordType")?.as_deref())?;
    let keyword = body.text("keyword")?;
    let within = body.ids("includeOrgIdScope")?.unwrap_or_default();
    let outside = body.ids("excludeOrgIdScope")?.unwrap_or_default();
    let only = body.ids("includeDirectOrgIdScope")?.unwrap_or_default();
    let search = Search {
        keyword: keyword.as_deref().map(|k| (kind, k)),
        within: &within,
        outside: &outside,
        only: &only,
    };
    let found = uaa::search(state.pool(), &call.tenant_id, search, page).await?;
    let page = found.map(|organ| {
        json!({
            "orgId": organ.org_id,
            "orgName": organ.name,
            "parentOrgId": organ.parent_id.clone().unwrap_or_else(|| "0".to_string()),
            "fullNamePath": organ.name_path,
            "parentIdPath": views::parent_id_path(&organ),
            "enable": !organ.disabled,
            "orgType": organ.gov.org_type.map(|t| t.code()),
        })
    });
    let mut object = page_object(page);
    object["record"] = object["records"].clone();
    Ok(object)
}
