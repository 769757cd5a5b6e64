//! An uploaded file (Inspur §2.10, 文件上传下载): application icons (`appIcon` holds a file id)
//! and workbooks. Each upload is a stream of its own with one `file.uploaded` event that carries
//! the content itself, base64-encoded, so that the tamper-evident log covers it and replay
//! rebuilds it (ops/adr/0015, "Files"). The type is read from the content's magic numbers, never
//! taken from the client; only images an icon can be and `.xlsx` workbooks are kept.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::aggregate::{Aggregate, Decision, DomainEvent};

/// The largest file kept, in bytes (2 MiB): the content lives in the event log.
pub const MAX_FILE_BYTES: usize = 2 * 1024 * 1024;

/// The longest file name kept, in characters.
const MAX_NAME: usize = 255;

/// What a file is, by its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Png,
    Jpeg,
    Gif,
    Webp,
    Icon,
    Xlsx,
}

impl FileKind {
    /// The kind of `content` by its magic numbers; `None` for anything else (SVG among them:
    /// an image that can carry script).
    pub fn sniff(content: &[u8]) -> Option<Self> {
        let contains = |needle: &[u8]| content.windows(needle.len()).any(|w| w == needle);
        if content.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else if content.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else if content.starts_with(b"GIF87a") || content.starts_with(b"GIF89a") {
            Some(Self::Gif)
        } else if content.len() >= 12 && &content[..4] == b"RIFF" && &content[8..12] == b"WEBP" {
            Some(Self::Webp)
        } else if content.len() >= 22
            && content.starts_with(&[0, 0, 1, 0])
            && u16::from_le_bytes([content[4], content[5]]) > 0
        {
            Some(Self::Icon)
        } else if content.starts_with(b"PK\x03\x04")
            && contains(b"[Content_Types].xml")
            && contains(b"xl/workbook")
        {
            // Entry names are stored uncompressed in a zip's headers and central directory.
            Some(Self::Xlsx)
        } else {
            None
        }
    }

    /// The `Content-Type` the file is served with.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::Gif => "image/gif",
            Self::Webp => "image/webp",
            Self::Icon => "image/vnd.microsoft.icon",
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

/// The name a file is kept under: the last segment of what the client sent (some browsers send
/// a whole path), without control characters, at most 255 characters; `file` when nothing is
/// left.
pub fn file_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let name: String = last
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_NAME)
        .collect();
    match name.trim() {
        "" => "file".to_string(),
        trimmed => trimmed.to_string(),
    }
}

/// Lower-case hex of the SHA-256 of `content`.
pub fn sha256_hex(content: &[u8]) -> String {
    Sha256::digest(content)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[derive(Debug, Default, Clone)]
pub struct StoredFile {
    pub id: Option<String>,
}

#[derive(Debug, Clone)]
pub enum FileCommand {
    /// Keeps `content` under a new id; `name` is the client's file name.
    Upload {
        id: String,
        name: String,
        content: Vec<u8>,
        now: i64,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "payload")]
pub enum FileEvent {
    /// `content` is the file, base64 (standard alphabet, padded); `sha256` its lower-case hex
    /// digest; `content_type` what the content is, by its magic numbers.
    #[serde(rename = "file.uploaded")]
    Uploaded {
        id: String,
        name: String,
        content_type: String,
        size: i64,
        sha256: String,
        content: String,
        at: i64,
    },
}

impl FileEvent {
    /// The file's bytes, decoded from the event.
    pub fn content(&self) -> Result<Vec<u8>, base64::DecodeError> {
        match self {
            Self::Uploaded { content, .. } => STANDARD.decode(content),
        }
    }
}

impl DomainEvent for FileEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::Uploaded { .. } => "file.uploaded",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    #[error("file already exists")]
    AlreadyExists,
    #[error("the file is empty")]
    Empty,
    #[error("a file is at most 2 MiB")]
    TooLarge,
    #[error("file type not supported")]
    Unsupported,
}

impl Aggregate for StoredFile {
    type Command = FileCommand;
    type Event = FileEvent;
    type Error = FileError;
    type Services = ();
    const STREAM_TYPE: &'static str = "file";

    fn apply(&mut self, event: &FileEvent) {
        match event {
            FileEvent::Uploaded { id, .. } => self.id = Some(id.clone()),
        }
    }

    fn decide(&self, command: FileCommand, _: &()) -> Result<Decision<FileEvent>, FileError> {
        match command {
            FileCommand::Upload {
                id,
                name,
                content,
                now,
            } => {
                if self.id.is_some() {
                    return Err(FileError::AlreadyExists);
                }
                if content.is_empty() {
                    return Err(FileError::Empty);
                }
                if content.len() > MAX_FILE_BYTES {
                    return Err(FileError::TooLarge);
                }
                let kind = FileKind::sniff(&content).ok_or(FileError::Unsupported)?;
                Ok(Decision::event(FileEvent::Uploaded {
                    id,
                    name: file_name(&name),
                    content_type: kind.content_type().to_string(),
                    size: content.len() as i64,
                    sha256: sha256_hex(&content),
                    content: STANDARD.encode(&content),
                    at: now,
                }))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

    fn upload(name: &str, content: &[u8]) -> Result<Decision<FileEvent>, FileError> {
        let command = FileCommand::Upload {
            id: "20210822992108131159373501004797".into(),
            name: name.into(),
            content: content.to_vec(),
            now: 1,
        };
        StoredFile::default().decide(command, &())
    }

    #[test]
    fn an_upload_records_the_content_its_digest_and_its_sniffed_type() {
        let decided = upload("C:\\图标\\app1.png", PNG).unwrap();
        assert!(decided.claims.is_empty());
        let event = &decided.events[0];
        let FileEvent::Uploaded {
            name,
            content_type,
            size,
            sha256,
            ..
        } = event;
        assert_eq!(name, "app1.png", "the last path segment");
        assert_eq!(content_type, "image/png");
        assert_eq!(*size, PNG.len() as i64);
        assert_eq!(sha256, &sha256_hex(PNG));
        assert_eq!(sha256.len(), 64);
        assert_eq!(event.content().unwrap(), PNG);
        let state = StoredFile::from_events(decided.events.iter());
        let again = FileCommand::Upload {
            id: "x".into(),
            name: "b.png".into(),
            content: PNG.to_vec(),
            now: 2,
        };
        assert_eq!(
            state.decide(again, &()).unwrap_err(),
            FileError::AlreadyExists
        );
    }

    #[test]
    fn only_icon_images_and_workbooks_are_kept() {
        let mut webp = b"RIFF\0\0\0\0WEBPVP8 ".to_vec();
        webp.extend([0; 8]);
        let mut ico = vec![0, 0, 1, 0, 1, 0];
        ico.extend([0; 16]);
        let xlsx = b"PK\x03\x04....[Content_Types].xml....xl/workbook.xml";
        for (content, kind) in [
            (PNG, FileKind::Png),
            (&[0xFF, 0xD8, 0xFF, 0xE0][..], FileKind::Jpeg),
            (b"GIF89a\x01\0", FileKind::Gif),
            (&webp, FileKind::Webp),
            (&ico, FileKind::Icon),
            (xlsx, FileKind::Xlsx),
        ] {
            assert_eq!(FileKind::sniff(content), Some(kind), "{kind:?}");
        }
        for refused in [
            &b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script/></svg>"[..],
            b"<?xml version=\"1.0\"?><svg/>",
            b"plain text",
            b"PK\x03\x04 a zip without a workbook",
            &[0, 0, 1, 0, 0, 0],
        ] {
            assert_eq!(FileKind::sniff(refused), None);
            assert_eq!(upload("x", refused).unwrap_err(), FileError::Unsupported);
        }
    }

    #[test]
    fn empty_and_oversized_files_are_refused() {
        assert_eq!(upload("x.png", b"").unwrap_err(), FileError::Empty);
        let mut big = PNG.to_vec();
        big.resize(MAX_FILE_BYTES, 0);
        assert!(upload("x.png", &big).is_ok(), "exactly the limit");
        big.push(0);
        assert_eq!(upload("x.png", &big).unwrap_err(), FileError::TooLarge);
    }

    #[test]
    fn names_lose_paths_and_control_characters() {
        assert_eq!(file_name("/tmp/a/b.png"), "b.png");
        assert_eq!(file_name("a\u{0}b\r\n.png"), "ab.png");
        assert_eq!(file_name("  "), "file");
        assert_eq!(file_name("dir/"), "file");
        assert_eq!(file_name(&"名".repeat(300)).chars().count(), MAX_NAME);
    }
}
