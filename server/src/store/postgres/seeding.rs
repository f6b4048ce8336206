//! Writing the demo data (or any people and their memberships) into an empty database: one
//! transaction, one statement per table (arrays bound as parameters, unnested by PostgreSQL).

use super::Postgres;
use crate::store::model::{
    in_access_order, Departure, LeaveBlock, Membership, StoreError, StoreResult, User,
};
use crate::store::name_key::organization_key;

/// Held (for the transaction) by whoever checks that the database is empty and seeds it, so
/// that instances starting together seed once.
const SEED_LOCK: i64 = 0x6d79_6f72_6773_0001;

/// Rows for one table, column by column.
#[derive(Default)]
struct Columns {
    user_ids: Vec<String>,
    user_names: Vec<String>,
    user_upns: Vec<String>,
    org_ids: Vec<String>,
    org_names: Vec<String>,
    org_domains: Vec<String>,
    org_emails: Vec<Option<String>>,
    org_urls: Vec<Option<String>>,
    org_logos: Vec<Option<String>>,
    domain_orgs: Vec<String>,
    domain_ordinals: Vec<i64>,
    domain_names: Vec<String>,
    m_users: Vec<String>,
    m_orgs: Vec<String>,
    m_positions: Vec<i64>,
    m_categories: Vec<String>,
    m_joined: Vec<i64>,
    m_last_sign_in: Vec<Option<i64>>,
    m_blocks: Vec<Option<String>>,
    m_name_keys: Vec<String>,
    s_users: Vec<String>,
    s_orgs: Vec<String>,
    s_ordinals: Vec<i64>,
    s_names: Vec<String>,
    s_mails: Vec<Option<String>>,
    a_users: Vec<String>,
    a_orgs: Vec<String>,
    a_positions: Vec<i64>,
    a_ids: Vec<String>,
    a_kinds: Vec<String>,
    a_names: Vec<String>,
    a_last_used: Vec<Option<i64>>,
}

impl Postgres {
    /// Stores `people` and their memberships (each list in list order, with the person's
    /// sponsors there), and `departures` (with the id of the person who left, oldest first), if
    /// there is no user yet, in one transaction. An organization several people belong to is
    /// stored once. Returns how many memberships were created, or `None` when the database
    /// already had data (and nothing was written).
    pub async fn seed_if_empty(
        &self,
        people: &[(User, Vec<Membership>)],
        departures: &[(String, Departure)],
    ) -> StoreResult<Option<usize>> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        // Seeding 100,000 organizations takes longer than a request's statement may.
        tx.batch_execute("SET LOCAL statement_timeout = 0").await?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&SEED_LOCK])
            .await?;
        let has_user: bool = tx
            .query_one("SELECT EXISTS (SELECT 1 FROM users)", &[])
            .await?
            .try_get(0)?;
        if has_user {
            return Ok(None);
        }
        let mut c = Columns::default();
        let mut count = 0;
        let mut seen_orgs = std::collections::HashSet::new();
        for (user, organizations) in people {
            c.user_ids.push(user.id.clone());
            c.user_names.push(user.display_name.clone());
            c.user_upns.push(user.user_principal_name.clone());
            for (position, org) in (1_i64..).zip(organizations) {
                if seen_orgs.insert(org.organization_id.clone()) {
                    c.org_ids.push(org.organization_id.clone());
                    c.org_names.push(org.display_name.clone());
                    c.org_domains.push(org.default_domain.clone());
                    c.org_emails.push(org.privacy_email.clone());
                    c.org_urls.push(org.privacy_statement_url.clone());
                    c.org_logos.push(org.square_logo_url.clone());
                    for (ordinal, domain) in (0_i64..).zip(&org.domains) {
                        c.domain_orgs.push(org.organization_id.clone());
                        c.domain_ordinals.push(ordinal);
                        c.domain_names.push(domain.clone());
                    }
                }
                c.m_users.push(user.id.clone());
                c.m_orgs.push(org.organization_id.clone());
                c.m_positions.push(position);
                c.m_categories.push(org.category.as_str().to_owned());
                c.m_joined.push(org.joined_at);
                c.m_last_sign_in.push(org.last_sign_in_at);
                c.m_blocks
                    .push(org.leave_block.map(LeaveBlock::as_str).map(str::to_owned));
                c.m_name_keys
                    .push(organization_key(&org.display_name, &org.default_domain));
                for (ordinal, sponsor) in (0_i64..).zip(&org.sponsors) {
                    c.s_users.push(user.id.clone());
                    c.s_orgs.push(org.organization_id.clone());
                    c.s_ordinals.push(ordinal);
                    c.s_names.push(sponsor.display_name.clone());
                    c.s_mails.push(sponsor.mail.clone());
                }
                for (position, item) in (1_i64..).zip(in_access_order(&org.access)) {
                    c.a_users.push(user.id.clone());
                    c.a_orgs.push(org.organization_id.clone());
                    c.a_positions.push(position);
                    c.a_ids.push(item.id.clone());
                    c.a_kinds.push(item.kind.as_str().to_owned());
                    c.a_names.push(item.display_name.clone());
                    c.a_last_used.push(item.last_used_at);
                }
                count += 1;
            }
        }
        // Users one by one, in order: their `ordinal` is the order of `people`.
        for ((id, name), upn) in c.user_ids.iter().zip(&c.user_names).zip(&c.user_upns) {
            tx.execute(
                "INSERT INTO users (id, display_name, user_principal_name) VALUES ($1, $2, $3)",
                &[id, name, upn],
            )
            .await?;
        }
        tx.execute(
            "INSERT INTO organizations (id, display_name, default_domain, privacy_email,
                 privacy_statement_url, square_logo_url)
             SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
                                  $6::text[])",
            &[
                &c.org_ids,
                &c.org_names,
                &c.org_domains,
                &c.org_emails,
                &c.org_urls,
                &c.org_logos,
            ],
        )
        .await?;
        tx.execute(
            "INSERT INTO organization_domains (organization_id, ordinal, domain)
             SELECT * FROM UNNEST($1::text[], $2::bigint[], $3::text[])",
            &[&c.domain_orgs, &c.domain_ordinals, &c.domain_names],
        )
        .await?;
        tx.execute(
            "INSERT INTO memberships (user_id, organization_id, position, tenant_category,
                 joined_at, last_sign_in_at, leave_blocked_reason, name_key)
             SELECT * FROM UNNEST($1::text[], $2::text[], $3::bigint[], $4::text[],
                                  $5::bigint[], $6::bigint[], $7::text[], $8::text[])",
            &[
                &c.m_users,
                &c.m_orgs,
                &c.m_positions,
                &c.m_categories,
                &c.m_joined,
                &c.m_last_sign_in,
                &c.m_blocks,
                &c.m_name_keys,
            ],
        )
        .await?;
        tx.execute(
            "INSERT INTO access_items (user_id, organization_id, position, id, kind,
                 display_name, last_used_at)
             SELECT * FROM UNNEST($1::text[], $2::text[], $3::bigint[], $4::text[],
                                  $5::text[], $6::text[], $7::bigint[])",
            &[
                &c.a_users,
                &c.a_orgs,
                &c.a_positions,
                &c.a_ids,
                &c.a_kinds,
                &c.a_names,
                &c.a_last_used,
            ],
        )
        .await?;
        tx.execute(
            "INSERT INTO sponsors (user_id, organization_id, ordinal, display_name, mail)
             SELECT * FROM UNNEST($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[])",
            &[&c.s_users, &c.s_orgs, &c.s_ordinals, &c.s_names, &c.s_mails],
        )
        .await?;
        // One by one, in the order given (oldest first): their positions are that order.
        for (user_id, departure) in departures {
            tx.execute(
                "INSERT INTO departures (id, user_id, organization_id, display_name,
                     default_domain, left_at, sponsors, privacy_email, privacy_statement_url)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                &[
                    &departure.id,
                    user_id,
                    &departure.organization_id,
                    &departure.display_name,
                    &departure.default_domain,
                    &departure.left_at,
                    &serde_json::to_string(&departure.sponsors)
                        .map_err(|error| StoreError::Failed(error.to_string()))?,
                    &departure.privacy_email,
                    &departure.privacy_statement_url,
                ],
            )
            .await?;
        }
        tx.commit().await?;
        // Fresh statistics for the planner: right after a bulk load (or a --reset's TRUNCATE)
        // it would otherwise plan for empty tables, and a list of 100,000 could take seconds.
        client
            .batch_execute(
                "ANALYZE users, organizations, organization_domains, memberships, access_items,
                         removal_requests, sponsors, departures",
            )
            .await?;
        Ok(Some(count))
    }
}
