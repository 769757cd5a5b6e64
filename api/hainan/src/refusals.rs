//! The authorisation model's refusals in the `ERR_*` catalogue (ops/adr/0019).

use domain::app_authorization::AuthorizationError;
use domain::app_role::AppRoleError;
use usecases::authorization::AuthorizationRefused;

use crate::envelope::{Code, HainanError};

impl From<AuthorizationRefused> for HainanError {
    fn from(refused: AuthorizationRefused) -> Self {
        let detail = refused.to_string();
        let code = match refused {
            AuthorizationRefused::Model(model) => match model {
                AuthorizationError::NotFound(..) => Code::DataNotFound,
                AuthorizationError::AlreadyExists(_) => Code::DataExists,
                AuthorizationError::InUse(_) => Code::DataInUse,
                AuthorizationError::Invalid(..) => Code::ParamInvalid,
                AuthorizationError::LimitExceeded => Code::LimitExceeded,
            },
            AuthorizationRefused::Role(role) => match role {
                AppRoleError::NotFound => Code::DataNotFound,
                AppRoleError::AlreadyExists => Code::DataExists,
                AppRoleError::HasMembers => Code::DataInUse,
                AppRoleError::CodeRequired | AppRoleError::NameRequired => Code::ParamMissing,
                AppRoleError::CodeInvalid | AppRoleError::NameInvalid => Code::ParamInvalid,
                AppRoleError::InvalidList => Code::LimitExceeded,
            },
            AuthorizationRefused::Service(error) => return error.into(),
        };
        HainanError::new(code, detail)
    }
}
