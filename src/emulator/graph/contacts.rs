//! Contact routes: list, delta, create, and items.

use http::Method;

use super::{Ctx, GraphResult};
use crate::emulator::data::store::Kind;

impl Ctx<'_> {
    /// `contacts…` of user `uid`.
    pub(super) fn contact_routes(&mut self, uid: &str, rest: &[&str]) -> GraphResult {
        let method = self.req.method.clone();
        match (rest, &method) {
            (["contacts"], &Method::GET) => {
                let contacts = self.state.dir.mailbox(uid).contacts.clone();
                Ok(self.list(contacts, 10, &format!("users('{uid}')/contacts")))
            }
            (["contacts"], &Method::POST) => {
                let body = self.body_object()?;
                self.created(uid, Kind::Contact, body, "contacts")
            }
            (["contacts", "delta" | "microsoft.graph.delta()"], &Method::GET) => {
                let contacts = self.state.dir.mailbox(uid).contacts.clone();
                let scope = format!("{uid}/contacts");
                self.delta(&scope, contacts, "#microsoft.graph.contact", "contact")
            }
            (["contacts", id], _) => self.item(uid, Kind::Contact, id),
            _ => self.unrouted(rest),
        }
    }
}
