//! The demo data: Megan Bowen of Contoso and her guest organizations (a few with a logo of the
//! server's own, most with a sponsor or two), generated organizations for long lists,
//! adversarial names (and logos, and sponsors' addresses) for client tests, and the demo's
//! departures ([`demo_departures`]). Storing it is [`super::sqlite`]'s and [`super::postgres`]'s.

use sha2::{Digest, Sha256};
use std::fmt::Write as _;
use time::macros::datetime;
use time::OffsetDateTime;

use crate::site::logos;
use crate::store::model::{
    AccessItem, AccessKind, Departure, LeaveBlock, Membership, Sponsor, TenantCategory, User,
};

/// What to seed into an empty database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeedOptions {
    /// Generated guest organizations added to the hand-written demo ones.
    pub guests: u32,
    /// Whether the user has a home organization (Contoso).
    pub home: bool,
    /// Whether the hand-written demo guest organizations are seeded.
    pub demo_guests: bool,
    /// Whether guest organizations with adversarial names (markup, right-to-left, very long) are
    /// seeded, to test that clients treat every string as untrusted text.
    pub hostile_names: bool,
}

impl Default for SeedOptions {
    fn default() -> Self {
        SeedOptions {
            guests: 0,
            home: true,
            demo_guests: true,
            hostile_names: false,
        }
    }
}

/// Unix seconds, now: recent activity in the demo is relative to the seeding time.
pub fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// The demo people and their memberships, each list in list order (home first, then by name
/// without regard to case, then by id so equal names still have a stable order):
/// - Megan Bowen (first: the person a server without sign-in acts for), whose organizations
///   `options` shape;
/// - Alex Wilber, a guest in three of Megan's organizations with no home organization;
/// - Adele Vance, in her home organization, Contoso, and no other.
///
/// Their ids are the subjects the local OpenID provider (`scripts/oidc/provider.mjs`) issues.
pub fn demo(options: SeedOptions, now: i64) -> Vec<(User, Vec<Membership>)> {
    let mut megan = demo_organizations(now, options.home, options.demo_guests);
    megan.extend((1..=options.guests).map(|n| generated_organization(n, now)));
    if options.hostile_names {
        megan.extend(hostile_organizations(now));
    }
    let alex = demo_organizations(now, false, true)
        .into_iter()
        .filter(|org| ALEX_GUEST_OF.contains(&org.display_name.as_str()))
        .map(|mut org| {
            if org.organization_id == ALEX_REJOINED.id {
                org.joined_at = now - ALEX_REJOINED.joined_ago;
                org = org.with_consistent_dates(now);
            }
            org
        })
        .collect();
    let adele = demo_organizations(now, true, false);
    [
        (person(MEGAN), megan),
        (person(ALEX), alex),
        (person(ADELE), adele),
    ]
    .into_iter()
    .map(|(user, mut organizations)| {
        // Access item ids are unique to the person, the organization and the item.
        for org in &mut organizations {
            for (n, item) in (0_u32..).zip(&mut org.access) {
                item.id = guid_for(&format!(
                    "myorgs-server access {} {} {n}",
                    user.id, org.organization_id
                ));
            }
        }
        organizations.sort_by_cached_key(|org| {
            (
                org.category != TenantCategory::Home,
                org.display_name.to_lowercase(),
                org.organization_id.clone(),
            )
        });
        (user, organizations)
    })
    .collect()
}

/// The demo's departures, each with the id of the person who left (see [`DEMO_DEPARTURES`]);
/// Megan's only with the demo guests.
pub fn demo_departures(options: SeedOptions, now: i64) -> Vec<(String, Departure)> {
    DEMO_DEPARTURES
        .iter()
        .filter(|past| options.demo_guests || past.who.0 != MEGAN.0)
        .map(|past| {
            let departure = Departure {
                position: 0,
                id: guid_for(&format!(
                    "myorgs-server departure {} {}",
                    past.who.0, past.organization.id
                )),
                organization_id: past.organization.id.to_owned(),
                display_name: past.organization.name.to_owned(),
                default_domain: past
                    .organization
                    .domains
                    .first()
                    .copied()
                    .unwrap_or_default()
                    .to_owned(),
                left_at: now - past.left_ago,
                sponsors: past
                    .organization
                    .sponsors
                    .iter()
                    .map(|(name, mail)| Sponsor {
                        display_name: (*name).to_owned(),
                        mail: mail.map(str::to_owned),
                    })
                    .collect(),
                privacy_email: past.organization.privacy_email.map(str::to_owned),
                privacy_statement_url: past.organization.privacy_statement_url.map(str::to_owned),
            };
            (past.who.0.to_owned(), departure)
        })
        .collect()
}

/// A departure of the demo: who left which organization, how long before the seeding.
struct PastDeparture {
    who: Person,
    organization: DemoOrganization,
    left_ago: i64,
}

/// Megan left Trey Research twelve days before the seeding; Alex left Northwind Traders forty
/// days before and has been invited back since ([`ALEX_REJOINED`]), so his list shows the
/// membership and his departures the leave, both true. Oldest first: the order they are
/// stored in is the order they happened.
const DEMO_DEPARTURES: [PastDeparture; 2] = [
    PastDeparture {
        who: ALEX,
        organization: GUESTS[1],
        left_ago: 40 * DAY,
    },
    PastDeparture {
        who: MEGAN,
        organization: TREY_RESEARCH,
        left_ago: 12 * DAY,
    },
];

/// Alex's membership of Northwind Traders began again this long before the seeding, after
/// his departure.
struct Rejoined {
    id: &'static str,
    joined_ago: i64,
}

const ALEX_REJOINED: Rejoined = Rejoined {
    id: GUESTS[1].id,
    joined_ago: 10 * DAY,
};

/// An organization Megan has left (only a departure holds it).
const TREY_RESEARCH: DemoOrganization = DemoOrganization {
    id: "b3f1c6d2-5a4e-4f7b-9c8d-2e1f0a9b8c7d",
    name: "Trey Research",
    domains: &["treyresearch.onmicrosoft.com", "treyresearch.net"],
    joined: datetime!(2023-05-02 09:00 UTC),
    last_sign_in_ago: None,
    leave_block: None,
    privacy_email: Some("privacy@treyresearch.net"),
    privacy_statement_url: Some("https://www.treyresearch.net/privacy"),
    access: &[],
    logo: None,
    sponsors: &[("Miriam Graham", Some("miriam.graham@treyresearch.net"))],
};

/// (id, display name, user principal name) of a demo person.
type Person = (&'static str, &'static str, &'static str);

const MEGAN: Person = (
    "48d31887-5fad-4d73-a9f5-3c356e68a038",
    "Megan Bowen",
    "MeganB@contoso.com",
);
const ALEX: Person = (
    "9e5b2f6a-3c1d-4e8f-a7b6-0d1c2e3f4a5b",
    "Alex Wilber",
    "AlexW@fabrikam.com",
);
const ADELE: Person = (
    "c4a7d2e9-8b3f-4c1a-9e6d-5f0a1b2c3d4e",
    "Adele Vance",
    "AdeleV@contoso.com",
);

/// The organizations Alex Wilber is a guest of.
const ALEX_GUEST_OF: [&str; 3] = ["Fabrikam", "Northwind Traders", "Woodgrove Bank"];

fn person((id, display_name, user_principal_name): Person) -> User {
    User {
        id: id.to_owned(),
        display_name: display_name.to_owned(),
        user_principal_name: user_principal_name.to_owned(),
    }
}

const MINUTE: i64 = 60;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

impl Membership {
    /// Joined before now, before the last sign-in and before anything there was last used,
    /// whatever the clock says.
    fn with_consistent_dates(mut self, now: i64) -> Self {
        self.joined_at = self.joined_at.min(now - DAY);
        let last_used = self.access.iter().filter_map(|item| item.last_used_at);
        for last in self.last_sign_in_at.into_iter().chain(last_used) {
            self.joined_at = self.joined_at.min(last - DAY);
        }
        self
    }
}

/// A hand-written demo organization; dates of the past are fixed, recent
/// activity is relative to the seeding time.
#[derive(Clone, Copy)]
struct DemoOrganization {
    id: &'static str,
    name: &'static str,
    /// The default domain first.
    domains: &'static [&'static str],
    joined: OffsetDateTime,
    /// Seconds before the seeding time; `None` = never signed in.
    last_sign_in_ago: Option<i64>,
    leave_block: Option<LeaveBlock>,
    privacy_email: Option<&'static str>,
    privacy_statement_url: Option<&'static str>,
    /// What a guest can reach there: (kind, name, last used this long before the seeding
    /// time, `None` = never).
    access: &'static [(AccessKind, &'static str, Option<i64>)],
    /// The name of its demo logo ([`logos`]), if it has one.
    logo: Option<&'static str>,
    /// The guest's sponsors there: (name, mail).
    sponsors: &'static [(&'static str, Option<&'static str>)],
}

const CONTOSO: DemoOrganization = DemoOrganization {
    id: "a98d8a79-b346-49a8-bb05-b9cd5e3932a0",
    name: "Contoso",
    domains: &["contoso.onmicrosoft.com", "contoso.com"],
    joined: datetime!(2022-01-10 08:00 UTC),
    last_sign_in_ago: Some(25 * MINUTE),
    leave_block: None,
    privacy_email: Some("privacy@contoso.com"),
    privacy_statement_url: Some("https://www.contoso.com/privacy"),
    access: &[],
    logo: Some("contoso"),
    sponsors: &[],
};

const GUESTS: [DemoOrganization; 8] = [
    DemoOrganization {
        id: "8c2b14a3-7a20-4131-b327-2031c0d4557f",
        name: "Fabrikam",
        domains: &["fabrikam.onmicrosoft.com", "fabrikam.com"],
        joined: datetime!(2022-06-14 09:30 UTC),
        last_sign_in_ago: Some(3 * HOUR + 12 * MINUTE),
        leave_block: None,
        privacy_email: Some("privacy@fabrikam.com"),
        privacy_statement_url: Some("https://www.fabrikam.com/privacy"),
        access: &[
            (
                AccessKind::App,
                "Fabrikam Expenses",
                Some(3 * HOUR + 20 * MINUTE),
            ),
            (AccessKind::Group, "Fabrikam Partners", Some(2 * DAY)),
            (AccessKind::Site, "Fabrikam Partner Hub", Some(20 * DAY)),
            (AccessKind::Team, "Fabrikam Design Review", None),
        ],
        logo: Some("fabrikam"),
        sponsors: &[
            ("Jane Doe", Some("jane.doe@fabrikam.com")),
            ("Sam Lee", Some("sam.lee@fabrikam.com")),
        ],
    },
    DemoOrganization {
        id: "f2f959db-0979-4648-a0ab-89e9aa7bab20",
        name: "Northwind Traders",
        domains: &["northwindtraders.onmicrosoft.com", "northwindtraders.com"],
        joined: datetime!(2023-02-03 16:45 UTC),
        last_sign_in_ago: Some(3 * DAY),
        leave_block: None,
        privacy_email: None,
        privacy_statement_url: None,
        access: &[
            (AccessKind::Team, "Northwind Launch", Some(3 * DAY)),
            (
                AccessKind::Site,
                "Northwind Launch Documents",
                Some(4 * DAY),
            ),
            (AccessKind::App, "Northwind Orders", Some(10 * DAY)),
            (AccessKind::Group, "Northwind Suppliers", None),
        ],
        logo: None,
        sponsors: &[("Nancy Davolio", Some("nancy.davolio@northwindtraders.com"))],
    },
    DemoOrganization {
        id: "4ad24fce-5b15-41c7-ba6b-4f73a7c56073",
        name: "Woodgrove Bank",
        domains: &["woodgrovebank.onmicrosoft.com", "woodgrovebank.com"],
        joined: datetime!(2022-11-21 11:02 UTC),
        last_sign_in_ago: Some(15 * DAY + 2 * HOUR),
        leave_block: Some(LeaveBlock::PolicyDisallowed),
        privacy_email: Some("privacy@woodgrovebank.com"),
        privacy_statement_url: Some("https://www.woodgrovebank.com/privacy"),
        access: &[
            (
                AccessKind::App,
                "Contoso Expenses",
                Some(15 * DAY + 3 * HOUR),
            ),
            (
                AccessKind::Team,
                "Woodgrove Vendor Onboarding",
                Some(16 * DAY),
            ),
            (AccessKind::App, "Woodgrove Risk Dashboard", Some(40 * DAY)),
            (
                AccessKind::Site,
                "Woodgrove Compliance Library",
                Some(90 * DAY),
            ),
            (AccessKind::Group, "Woodgrove Audit Guests", None),
        ],
        logo: Some("woodgrove"),
        sponsors: &[
            ("Priya Raman", Some("priya.raman@woodgrovebank.com")),
            ("Diego Siciliani", None),
        ],
    },
    DemoOrganization {
        id: "d5415ce1-f0ea-4ba0-9d18-651899994b7b",
        name: "Adventure Works Cycles",
        domains: &["adventureworks.onmicrosoft.com", "adventure-works.com"],
        joined: datetime!(2024-03-05 14:07 UTC),
        last_sign_in_ago: Some(97 * DAY),
        leave_block: None,
        privacy_email: Some("privacy@adventure-works.com"),
        privacy_statement_url: Some("https://www.adventure-works.com/privacy-statement"),
        access: &[
            (
                AccessKind::App,
                "Adventure Works Timesheets",
                Some(97 * DAY),
            ),
            (AccessKind::Group, "Adventure Works Contractors", None),
        ],
        logo: None,
        sponsors: &[("Christie Cline", Some("christie.cline@adventure-works.com"))],
    },
    DemoOrganization {
        id: "955fbb0a-4e9d-4193-a367-1c4f0f8e627c",
        name: "Tailspin Toys",
        domains: &["tailspintoys.onmicrosoft.com", "tailspintoys.com"],
        joined: datetime!(2025-01-17 10:20 UTC),
        last_sign_in_ago: None,
        leave_block: None,
        privacy_email: None,
        privacy_statement_url: None,
        access: &[],
        logo: None,
        sponsors: &[],
    },
    DemoOrganization {
        id: "e3488d2e-c48c-4eb3-812f-cb079740c63e",
        name: "Wide World Importers",
        domains: &[
            "wideworldimporters.onmicrosoft.com",
            "wideworldimporters.com",
            "wwimporters.com",
        ],
        joined: datetime!(2023-08-29 13:55 UTC),
        last_sign_in_ago: Some(213 * DAY),
        leave_block: None,
        privacy_email: Some("dataprotection@wideworldimporters.com"),
        privacy_statement_url: None,
        access: &[
            (
                AccessKind::Site,
                "Wide World Shipping Portal",
                Some(213 * DAY),
            ),
            (AccessKind::App, "Wide World Expenses", Some(250 * DAY)),
            (AccessKind::Group, "Wide World Logistics Partners", None),
        ],
        logo: None,
        sponsors: &[(
            "Lidia Holloway",
            Some("lidia.holloway@wideworldimporters.com"),
        )],
    },
    DemoOrganization {
        id: "8a202053-29bb-4c55-a375-3fbb33bb46f9",
        name: "Litware Inc.",
        domains: &["litwareinc.onmicrosoft.com", "litwareinc.com"],
        joined: datetime!(2022-04-08 07:15 UTC),
        last_sign_in_ago: Some(410 * DAY),
        leave_block: Some(LeaveBlock::AccountDisabled),
        privacy_email: None,
        privacy_statement_url: Some("https://www.litwareinc.com/legal/privacy"),
        access: &[
            (AccessKind::App, "Litware Contracts", Some(410 * DAY)),
            (AccessKind::Team, "Litware Legal", Some(420 * DAY)),
        ],
        logo: None,
        sponsors: &[],
    },
    DemoOrganization {
        id: "e70c65dd-d994-4381-b37d-00261d686159",
        name: "Proseware",
        domains: &["proseware.onmicrosoft.com", "proseware.com"],
        joined: datetime!(2026-02-11 15:40 UTC),
        last_sign_in_ago: Some(41 * DAY),
        leave_block: None,
        privacy_email: None,
        privacy_statement_url: None,
        access: &[
            (AccessKind::Team, "Proseware Launch", Some(41 * DAY)),
            (AccessKind::App, "Proseware Docs", Some(45 * DAY)),
            (AccessKind::Group, "Proseware Reviewers", None),
        ],
        logo: Some("proseware"),
        sponsors: &[("Henrietta Mueller", Some("henrietta.mueller@proseware.com"))],
    },
];

fn demo_organizations(now: i64, home: bool, demo_guests: bool) -> Vec<Membership> {
    let home = home.then_some((TenantCategory::Home, CONTOSO));
    let guests = GUESTS
        .into_iter()
        .filter(|_| demo_guests)
        .map(|demo| (TenantCategory::Guest, demo));
    home.into_iter()
        .chain(guests)
        .map(|(category, demo)| {
            Membership {
                position: 0,
                name_key: String::new(),
                organization_id: demo.id.to_owned(),
                display_name: demo.name.to_owned(),
                default_domain: demo.domains.first().copied().unwrap_or_default().to_owned(),
                domains: demo.domains.iter().map(|d| (*d).to_owned()).collect(),
                category,
                joined_at: demo.joined.unix_timestamp(),
                last_sign_in_at: demo.last_sign_in_ago.map(|ago| now - ago),
                leave_block: demo.leave_block,
                privacy_email: demo.privacy_email.map(str::to_owned),
                privacy_statement_url: demo.privacy_statement_url.map(str::to_owned),
                square_logo_url: demo.logo.and_then(logos::path),
                sponsors: demo
                    .sponsors
                    .iter()
                    .map(|(name, mail)| Sponsor {
                        display_name: (*name).to_owned(),
                        mail: mail.map(str::to_owned),
                    })
                    .collect(),
                removal_request: None,
                access: demo
                    .access
                    .iter()
                    .map(|(kind, name, ago)| AccessItem {
                        position: 0,
                        id: String::new(),
                        kind: *kind,
                        display_name: (*name).to_owned(),
                        last_used_at: ago.map(|ago| now - ago),
                    })
                    .collect(),
            }
            .with_consistent_dates(now)
        })
        .collect()
}

/// The `n`th generated guest organization (1-based); the same `n` always
/// yields the same organization, so test runs and benchmarks are repeatable.
fn generated_organization(n: u32, now: i64) -> Membership {
    let n64 = i64::from(n);
    let domain = format!("gen{n:04}.onmicrosoft.com");
    let joined_at = datetime!(2022-01-01 00:00 UTC).unix_timestamp()
        + (n64 * 7_919 % 1_700) * DAY
        + (n64 * 37 % 1_440) * MINUTE;
    let last_sign_in_at =
        (!n.is_multiple_of(7)).then(|| now - (n64 * 13 % 500) * DAY - (n64 % 24) * HOUR);
    let privacy = n.is_multiple_of(3);
    Membership {
        position: 0,
        name_key: String::new(),
        organization_id: generated_guid(n),
        display_name: format!("Generated Organization {n:04}"),
        default_domain: domain.clone(),
        domains: vec![domain],
        category: TenantCategory::Guest,
        joined_at,
        last_sign_in_at,
        leave_block: n.is_multiple_of(97).then_some(LeaveBlock::PolicyDisallowed),
        privacy_email: privacy.then(|| format!("privacy@gen{n:04}.example")),
        privacy_statement_url: privacy.then(|| format!("https://gen{n:04}.example/privacy")),
        square_logo_url: None,
        // None to two sponsors, one in three of them without an address.
        sponsors: (0..n % 3)
            .map(|k| Sponsor {
                display_name: format!("Sponsor {n:04}-{k}"),
                mail: (!(n + k).is_multiple_of(3)).then(|| format!("sponsor{k}@gen{n:04}.example")),
            })
            .collect(),
        removal_request: None,
        // None to three items, one in five never used.
        access: (0..n % 4)
            .map(|k| {
                let kind = KINDS[(n + k) as usize % KINDS.len()];
                AccessItem {
                    position: 0,
                    id: String::new(),
                    kind,
                    display_name: format!("Generated {} {n:04}-{k}", kind.as_str()),
                    last_used_at: (!(n + k).is_multiple_of(5))
                        .then(|| now - i64::from((n * 7 + k * 11) % 300) * DAY - HOUR),
                }
            })
            .collect(),
    }
    .with_consistent_dates(now)
}

/// Names a client must show as plain text without breaking its layout: markup, right-to-left
/// and mixed-direction text, a bidi override, emoji, a 253-character name and a 90-character
/// word with no place to break. Then names that sort only by the page's rules (in name order,
/// `$orderby=displayName`): accents, case, the same key twice, CJK, Korean (decomposed), Arabic
/// with vowel marks, `ß`, bidi and control characters, whitespace runs, a dotted capital I,
/// Greek capitals (a final sigma lowercased as any other), stacked Vietnamese accents and a
/// 300-character name, cut where the page cuts
/// it. `tests/fixtures/sort-keys.json` has each one's key.
pub(crate) const HOSTILE_NAMES: [&str; 29] = [
    "<img src=x onerror=alert(1)>",
    "<b>bold</b> & \"quoted\" 'names'",
    "شركة النور للتقنية والاستشارات",
    "Contoso שותפים בע\"מ – Partners 2026",
    "\u{202E}gnp.exe Payroll",
    "🚀 Rocket Labs ✨ 株式会社",
    "The Northwind, Contoso, Fabrikam, Woodgrove and Adventure Works Joint Research and Development Consortium for Cross-Tenant Collaboration, Identity Governance, Secure Guest Access, Lifecycle Management and Compliance Reporting in Regulated Industries Ltd",
    "Supercalifragilisticexpialidociousandthensomemoreletterswithoutanyspacesatallforlayouttests",
    "Ärzte ohne Grenzen",
    "Zürich Versicherung",
    "Zurich Insurance",
    "Ångström Laboratory",
    "\u{212B}ngström Labs",
    "café",
    "cafe",
    "CONTOSO Ltd",
    "contoso ltd",
    "株式会社 東京テクノロジー",
    "삼성전자",
    "مُحَمَّد للتجارة",
    "Straße & Söhne GmbH",
    "STRASSE UND SÖHNE",
    "Contoso\u{200F}Partners \u{2066}Ltd\u{2069}",
    "Tab\tand\nnewline\u{7}bell",
    "  Wide   World\u{A0}\u{2003}Importers  ",
    "İstanbul Holding",
    "ΟΔΟΣ Α.Ε.",
    "Công ty Việt Nam",
    "The Northwind, Contoso, Fabrikam, Woodgrove and Adventure Works Joint Research and Development Consortium for Cross-Tenant Collaboration, Identity Governance, Secure Guest Access, Lifecycle Management and Compliance Reporting in Regulated Industries of the Northern Hemisphere & Beyond Ltd. (Holding)",
];

/// Logo addresses a client must not load as they are: other schemes, plain HTTP, paths out of
/// the API, a logo this server doesn't have (404), and an answer that isn't an image.
const HOSTILE_LOGOS: [&str; 7] = [
    "javascript:alert(1)",
    "data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciLz4=",
    "http://insecure.example/logo.png",
    "/api/v1/../../../etc/passwd",
    "//evil.example/logo.svg",
    "/logos/missing.svg",
    "/api/v1/me",
];

/// Sponsor addresses a client must not make a link of as they are.
const HOSTILE_MAILS: [&str; 6] = [
    "javascript:alert(1)",
    "jane@fabrikam.example?subject=hi&body=there",
    "line\nbreak@fabrikam.example",
    "<script>alert(1)</script>@fabrikam.example",
    "\u{202E}moc.elpmaxe@enaj",
    "jane.doe@fabrikam.example",
];

fn hostile_organizations(now: i64) -> Vec<Membership> {
    (0_u32..)
        .zip(HOSTILE_NAMES)
        .map(|(n, name)| {
            let domain = format!("hostile{n}.onmicrosoft.com");
            Membership {
                position: 0,
                name_key: String::new(),
                organization_id: generated_guid(1_000_000 + n),
                display_name: name.to_owned(),
                default_domain: domain.clone(),
                domains: vec![domain],
                category: TenantCategory::Guest,
                joined_at: datetime!(2024-06-01 12:00 UTC).unix_timestamp() + i64::from(n) * DAY,
                last_sign_in_at: Some(now - i64::from(n + 1) * DAY),
                leave_block: None,
                privacy_email: None,
                privacy_statement_url: None,
                square_logo_url: HOSTILE_LOGOS
                    .get(n as usize % (HOSTILE_LOGOS.len() + 1))
                    .map(|url| (*url).to_owned()),
                // A sponsor named as adversarially, with an address that must never become a
                // link as it is (or none).
                sponsors: vec![Sponsor {
                    display_name: name.to_owned(),
                    mail: HOSTILE_MAILS
                        .get(n as usize % (HOSTILE_MAILS.len() + 1))
                        .map(|mail| (*mail).to_owned()),
                }],
                removal_request: None,
                // What a guest can reach there is named as adversarially as the organization.
                access: vec![AccessItem {
                    position: 0,
                    id: String::new(),
                    kind: KINDS[n as usize % KINDS.len()],
                    display_name: name.to_owned(),
                    last_used_at: Some(now - i64::from(n + 1) * DAY - HOUR),
                }],
            }
            .with_consistent_dates(now)
        })
        .collect()
}

/// Every kind of access item, for generated ones.
const KINDS: [AccessKind; 4] = [
    AccessKind::App,
    AccessKind::Group,
    AccessKind::Team,
    AccessKind::Site,
];

/// A deterministic GUID for a counter.
fn generated_guid(n: u32) -> String {
    guid_for(&format!("myorgs-server generated organization {n}"))
}

/// A deterministic GUID for a label: the first 16 bytes of a SHA-256, marked
/// as an RFC 9562 version 8 ("custom") UUID so it is well-formed.
fn guid_for(label: &str) -> String {
    let digest = Sha256::digest(label);
    let mut bytes = [0_u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    bytes[6] = (bytes[6] & 0x0f) | 0x80;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let mut text = String::with_capacity(36);
    for (index, byte) in bytes.iter().enumerate() {
        if matches!(index, 4 | 6 | 8 | 10) {
            text.push('-');
        }
        // Writing to a String cannot fail.
        let _ = write!(text, "{byte:02x}");
    }
    text
}

#[cfg(test)]
mod tests;
