//! The hosted pages' languages: Simplified Chinese and English, from `lang` or `Accept-Language`.

use axum::http::{header, HeaderMap};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Zh,
}

impl Lang {
    /// `lang=zh|en` wins; otherwise the first of `zh`/`en` in `Accept-Language`; English by default.
    pub fn pick(lang: Option<&str>, headers: &HeaderMap) -> Self {
        match lang.map(str::to_ascii_lowercase).as_deref() {
            Some(l) if l.starts_with("zh") => return Self::Zh,
            Some(l) if l.starts_with("en") => return Self::En,
            _ => {}
        }
        let accept = headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_ascii_lowercase();
        let first = accept
            .split(',')
            .map(|part| part.split(';').next().unwrap_or_default().trim())
            .find(|tag| tag.starts_with("zh") || tag.starts_with("en"));
        match first {
            Some(tag) if tag.starts_with("zh") => Self::Zh,
            _ => Self::En,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Zh => "zh-CN",
        }
    }

    pub fn is_chinese(self) -> bool {
        self == Self::Zh
    }

    /// A page text by key.
    pub fn text(self, key: &str) -> &'static str {
        let (en, zh) = match key {
            "sign_in" => ("Sign in", "登录"),
            "username" => ("Username", "用户名"),
            "password" => ("Password", "密码"),
            "remember_me" => ("Keep me signed in", "保持登录"),
            "submit" => ("Sign in", "登录"),
            "signed_in_as" => ("You are signed in as", "您已登录，用户"),
            "sign_out" => ("Sign out", "退出登录"),
            "signed_out" => ("You have signed out.", "您已退出登录。"),
            "confirm_sign_out" => (
                "Sign out of every application?",
                "确定退出所有应用的登录吗？",
            ),
            "csrf" => (
                "The form has expired. Please sign in again.",
                "表单已失效，请重新登录。",
            ),
            "no_account" => (
                "You have no account in this application. Ask your administrator for access.",
                "您在该应用中没有账号，请联系管理员开通。",
            ),
            "app_unavailable" => ("This application is not available.", "该应用不可用。"),
            "cas_signed_in" => (
                "You are signed in. Open an application to continue.",
                "您已登录，请打开要访问的应用。",
            ),
            "cas_bad_service" => (
                "The service must be an absolute http(s) URL.",
                "service 参数必须是完整的 http(s) 地址。",
            ),
            "cas_unknown_service" => (
                "This service is not registered to sign in with CAS.",
                "该服务未注册 CAS 单点登录。",
            ),
            "bad_request" => ("The sign-in request is invalid", "登录请求无效"),
            "change_password" => ("Change your password", "修改密码"),
            "must_change" => (
                "Your password must be changed before you continue.",
                "继续之前必须修改密码。",
            ),
            "expiring" => (
                "Your password expires soon. Change it now?",
                "您的密码即将过期，是否现在修改？",
            ),
            "old_password" => ("Current password", "原密码"),
            "new_password" => ("New password", "新密码"),
            "confirm_password" => ("Confirm new password", "确认新密码"),
            "mismatch" => (
                "The new passwords do not match.",
                "两次输入的新密码不一致。",
            ),
            "save" => ("Save", "保存"),
            "skip" => ("Not now", "暂不修改"),
            "otp_title" => ("Two-step verification", "两步验证"),
            "otp_prompt" => (
                "Enter the 6-digit code from your authenticator app.",
                "请输入身份验证器应用中的 6 位验证码。",
            ),
            "otp_code" => ("Verification code", "验证码"),
            "otp_wrong" => ("Incorrect verification code.", "验证码不正确。"),
            "verify" => ("Verify", "验证"),
            "enroll_title" => ("Set up two-step verification", "设置两步验证"),
            "enroll_prompt" => (
                "Add this key to your authenticator app, then enter the code it shows.",
                "请将此密钥添加到身份验证器应用，然后输入其显示的验证码。",
            ),
            "enrolled" => ("Two-step verification is on.", "两步验证已开启。"),
            "captcha" => ("Characters in the image", "图中字符"),
            "captcha_wrong" => ("Invalid CAPTCHA code.", "图形验证码校验失败"),
            "expired" => (
                "This step has expired. Please sign in again.",
                "该步骤已过期，请重新登录。",
            ),
            _ => ("", ""),
        };
        match self {
            Self::En => en,
            Self::Zh => zh,
        }
    }
}
