//! TEMP STUB
#![allow(missing_docs)]
#[derive(Debug, Clone)]
pub struct Protocol {
    url: String,
}
impl Protocol {
    pub fn graph() -> Protocol {
        Protocol {
            url: "https://graph.microsoft.com/v1.0/".into(),
        }
    }
    pub fn service_url(&self) -> &str {
        &self.url
    }
}
