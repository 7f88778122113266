//! The two non-Graph workloads: a Business Central API v2.0 page and an Outlook REST v2.0 message
//! page (PascalCase wire names) decode into their typed fields with only the undeclared members
//! in `extra`, and one call each goes out with the protocol's path, casing and bearer token.
//! `cargo test --features office365-mail,business-central --test generated_outlook_bc`.

#![cfg(feature = "codegen")]
#![allow(unused_imports, dead_code)]

mod generated_support;
mod support;

use futures_util::TryStreamExt;
use generated_support::setup_protocol;
use o365::protocol::{Casing, Protocol};
use serde_json::{Map, Value, json};
use support::{ACCESS_TOKEN, Reply};

/// The keys that landed in a model's catch-all map, sorted.
fn extra_keys(extra: &Map<String, Value>) -> Vec<&str> {
    let mut keys: Vec<&str> = extra.keys().map(String::as_str).collect();
    keys.sort_unstable();
    keys
}

#[cfg(feature = "business-central")]
mod business_central {
    use super::*;
    use o365::generated::business_central::types::{
        BcCompanyCollectionResponse, BcCustomerCollectionResponse,
    };

    const COMPANY: &str = "f7a2c0e2-3d4b-4c5e-9f60-718293a4b5c6";

    /// A customers page as Business Central API v2.0 returns it.
    fn customers_page() -> Value {
        json!({
            "@odata.context": "https://api.businesscentral.dynamics.com/v2.0/production/api/v2.0/$metadata#companies(f7a2c0e2-3d4b-4c5e-9f60-718293a4b5c6)/customers",
            "value": [{
                "@odata.etag": "W/\"JzQ0O1ZoNFpLRk1aUmx5QmRqc3hTRW5UeWZsTG1qK3lQcGpGRkFQR0Q1dz0xMDsn\"",
                "id": "5d115c9c-44e3-ea11-bb43-000d3a2feca1",
                "number": "10000",
                "displayName": "Adatum Corporation",
                "type": "Company",
                "addressLine1": "192 Market Square",
                "addressLine2": "",
                "city": "Atlanta",
                "state": "GA",
                "country": "US",
                "postalCode": "31772",
                "phoneNumber": "",
                "email": "robert.townes@contoso.com",
                "website": "",
                "salespersonCode": "PS",
                "balanceDue": 3125.5,
                "creditLimit": 0.0,
                "taxLiable": true,
                "taxAreaId": "a8d1b2c3-44e3-ea11-bb43-000d3a2feca1",
                "taxAreaDisplayName": "ATLANTA, GA",
                "taxRegistrationNumber": "",
                "currencyId": "00000000-0000-0000-0000-000000000000",
                "currencyCode": "USD",
                "paymentTermsId": "7a8d1b2c-44e3-ea11-bb43-000d3a2feca1",
                "shipmentMethodId": "00000000-0000-0000-0000-000000000000",
                "paymentMethodId": "8b9e2c3d-44e3-ea11-bb43-000d3a2feca1",
                "blocked": " ",
                "lastModifiedDateTime": "2026-10-02T08:13:44.823Z"
            }]
        })
    }

    #[test]
    fn a_customers_page_puts_address_balance_and_ids_in_typed_fields() {
        let page: BcCustomerCollectionResponse = serde_json::from_value(customers_page()).unwrap();
        let customer = &page.value[0];
        assert_eq!(
            customer.id.map(|id| id.to_string()).as_deref(),
            Some("5d115c9c-44e3-ea11-bb43-000d3a2feca1")
        );
        assert_eq!(customer.number.as_deref(), Some("10000"));
        assert_eq!(customer.display_name.as_deref(), Some("Adatum Corporation"));
        assert_eq!(customer.type_.as_deref(), Some("Company"));
        assert_eq!(customer.address_line1.as_deref(), Some("192 Market Square"));
        assert_eq!(customer.city.as_deref(), Some("Atlanta"));
        assert_eq!(customer.balance_due, Some(3125.5));
        assert_eq!(customer.credit_limit, Some(0.0));
        assert_eq!(customer.tax_liable, Some(true));
        assert_eq!(customer.currency_code.as_deref(), Some("USD"));
        assert_eq!(customer.blocked.as_deref(), Some(" "));
        assert_eq!(
            customer
                .last_modified_date_time
                .map(|t| t.timestamp_millis()),
            Some(1_790_928_824_823)
        );
        // the hand-written description models the common members; the rest are kept as sent
        assert_eq!(
            extra_keys(&customer.extra),
            [
                "@odata.etag",
                "currencyId",
                "paymentMethodId",
                "paymentTermsId",
                "salespersonCode",
                "shipmentMethodId",
                "taxAreaDisplayName",
                "taxAreaId",
                "taxRegistrationNumber"
            ]
        );
        assert_eq!(extra_keys(&page.extra), ["@odata.context"]);
        // and re-encodes to the same JSON
        assert_eq!(serde_json::to_value(&page).unwrap(), customers_page());
    }

    #[test]
    fn a_companies_page_puts_name_and_creation_time_in_typed_fields() {
        let page: BcCompanyCollectionResponse = serde_json::from_value(json!({
            "@odata.context": "https://api.businesscentral.dynamics.com/v2.0/production/api/v2.0/$metadata#companies",
            "value": [{
                "id": COMPANY,
                "systemVersion": "24.0.16410.18056",
                "timestamp": 40235,
                "name": "CRONUS USA, Inc.",
                "displayName": "CRONUS USA, Inc.",
                "businessProfileId": "",
                "systemCreatedAt": "2025-04-01T07:15:22.49Z",
                "systemCreatedBy": "00000000-0000-0000-0000-000000000001",
                "systemModifiedAt": "2025-04-01T07:15:22.49Z",
                "systemModifiedBy": "00000000-0000-0000-0000-000000000001"
            }]
        }))
        .unwrap();
        let company = &page.value[0];
        assert_eq!(
            company.id.map(|id| id.to_string()).as_deref(),
            Some(COMPANY)
        );
        assert_eq!(company.name.as_deref(), Some("CRONUS USA, Inc."));
        assert_eq!(company.system_version.as_deref(), Some("24.0.16410.18056"));
        assert_eq!(company.business_profile_id.as_deref(), Some(""));
        assert!(company.system_created_at.is_some());
        assert_eq!(
            extra_keys(&company.extra),
            [
                "systemCreatedBy",
                "systemModifiedAt",
                "systemModifiedBy",
                "timestamp"
            ]
        );
    }

    #[tokio::test]
    async fn list_customers_goes_to_the_company_entity_path_with_odata_options() {
        let (server, conn) = setup_protocol(|base| {
            Protocol::custom(&format!("{base}/v2.0/production/api/"), "v2.0")
        })
        .await;
        server.push([Reply::json(200, customers_page())]);
        let customers: Vec<_> = conn
            .business_central()
            .list_customers(COMPANY)
            .filter("balanceDue gt 0")
            .top(20)
            .stream()
            .try_collect()
            .await
            .unwrap();
        assert_eq!(customers.len(), 1);
        assert_eq!(customers[0].number.as_deref(), Some("10000"));
        let sent = &server.requests()[0];
        assert_eq!(sent.method, "GET");
        assert_eq!(
            sent.target,
            "/v2.0/production/api/v2.0/companies(f7a2c0e2-3d4b-4c5e-9f60-718293a4b5c6)/customers?%24filter=balanceDue+gt+0&%24top=20"
        );
        assert_eq!(
            sent.header("authorization"),
            Some(format!("Bearer {ACCESS_TOKEN}").as_str())
        );
    }
}

#[cfg(feature = "office365-mail")]
mod office365_mail {
    use super::*;
    use o365::generated::office365_mail::types::{
        Importance, ItemBodyContentType as BodyType, MessageCollectionResponse as MessagePage,
    };

    /// A message page as Outlook REST v2.0 returns it (PascalCase members, `@odata.id`).
    fn message_page() -> Value {
        json!({
            "@odata.context": "https://outlook.office.com/api/v2.0/$metadata#Me/Messages",
            "value": [{
                "@odata.id": "https://outlook.office.com/api/v2.0/Users('4f3c1a5e-9b2d-4f0a-8e6c-2b7d9a1c3e55@dcd219dd-bc68-4b9b-bf0b-4a33a796be35')/Messages('AAMkAGI2THVSAAA=')",
                "@odata.etag": "W/\"CQAAABYAAACQ2fKdhq8oSKEDSVrdi3lRAAAA4Y0n\"",
                "Id": "AAMkAGI2THVSAAA=",
                "CreatedDateTime": "2026-11-30T09:12:47Z",
                "LastModifiedDateTime": "2026-11-30T09:13:02Z",
                "ChangeKey": "CQAAABYAAACQ2fKdhq8oSKEDSVrdi3lRAAAA4Y0n",
                "Categories": [],
                "ReceivedDateTime": "2026-11-30T09:12:45Z",
                "SentDateTime": "2026-11-30T09:12:41Z",
                "HasAttachments": false,
                "Subject": "Quarterly numbers",
                "Body": {"ContentType": "HTML", "Content": "<html><body>See the sheet.</body></html>"},
                "BodyPreview": "See the sheet.",
                "Importance": "High",
                "ParentFolderId": "AAMkAGI2AAEMAAA=",
                "ConversationId": "AAQkAGI2AAQAHv0=",
                "IsRead": false,
                "IsDraft": false,
                "WebLink": "https://outlook.office365.com/owa/?ItemID=AAMkAGI2THVSAAA%3D&exvsurl=1&viewmodel=ReadMessageItem",
                "From": {"EmailAddress": {"Name": "Adele Vance", "Address": "AdeleV@contoso.com"}},
                "ToRecipients": [{"EmailAddress": {"Name": "Alex Wilber", "Address": "AlexW@contoso.com"}}],
                "CcRecipients": []
            }],
            "@odata.nextLink": "https://outlook.office.com/api/v2.0/me/messages?%24top=1&%24skip=1"
        })
    }

    #[test]
    fn an_outlook_rest_message_page_decodes_pascal_case_members() {
        let page: MessagePage = serde_json::from_value(message_page()).unwrap();
        assert_eq!(
            page.odata_next_link.as_deref(),
            Some("https://outlook.office.com/api/v2.0/me/messages?%24top=1&%24skip=1")
        );
        let message = &page.value[0];
        assert_eq!(message.id.as_deref(), Some("AAMkAGI2THVSAAA="));
        assert_eq!(message.subject.as_deref(), Some("Quarterly numbers"));
        assert_eq!(message.importance, Some(Importance::High));
        assert_eq!(message.is_read, Some(false));
        assert_eq!(
            message
                .received_date_time
                .map(|t| t.to_rfc3339())
                .as_deref(),
            Some("2026-11-30T09:12:45+00:00")
        );
        let from = message
            .from
            .as_ref()
            .unwrap()
            .email_address
            .as_ref()
            .unwrap();
        assert_eq!(from.address.as_deref(), Some("AdeleV@contoso.com"));
        assert_eq!(from.name.as_deref(), Some("Adele Vance"));
        assert!(from.extra.is_empty());
        let to = message.to_recipients[0].email_address.as_ref().unwrap();
        assert_eq!(to.address.as_deref(), Some("AlexW@contoso.com"));
        let body = message.body.as_ref().unwrap();
        assert_eq!(body.content_type, Some(BodyType::Html));
        assert!(body.content.as_deref().unwrap().contains("See the sheet."));
        // the hand-written description declares the common members only
        assert_eq!(
            extra_keys(&message.extra),
            [
                "@odata.etag",
                "@odata.id",
                "Categories",
                "ChangeKey",
                "CreatedDateTime",
                "LastModifiedDateTime"
            ]
        );
    }

    #[tokio::test]
    async fn list_messages_sends_pascal_case_select_under_api_v2() {
        let (server, conn) = setup_protocol(|base| {
            Protocol::custom(&format!("{base}/api/"), "v2.0").with_casing(Casing::Pascal)
        })
        .await;
        let mut page = message_page();
        page.as_object_mut().unwrap().remove("@odata.nextLink");
        server.push([Reply::json(200, page)]);
        let page = conn
            .office365_mail()
            .list_messages()
            .select(["subject", "from", "receivedDateTime"])
            .top(1)
            .send()
            .await
            .unwrap();
        assert_eq!(page.value[0].subject.as_deref(), Some("Quarterly numbers"));
        let sent = &server.requests()[0];
        assert_eq!(sent.method, "GET");
        assert_eq!(
            sent.target,
            "/api/v2.0/me/messages?%24select=Subject%2CFrom%2CReceivedDateTime&%24top=1"
        );
        assert_eq!(
            sent.header("authorization"),
            Some(format!("Bearer {ACCESS_TOKEN}").as_str())
        );
    }
}
