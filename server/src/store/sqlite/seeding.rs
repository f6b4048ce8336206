//! Writing the demo data (or any people and their memberships) into an empty database.

use rusqlite::{params, TransactionBehavior};

use super::Sqlite;
use crate::store::model::{
    in_access_order, Departure, LeaveBlock, Membership, Sponsor, StoreError, StoreResult, User,
};
use crate::store::name_key::organization_key;

impl Sqlite {
    /// Stores `people` and their memberships (each list in list order, each with its name key
    /// and the person's sponsors there), and `departures` (with the id of the person who left,
    /// oldest first), if there is no user yet, in one transaction. An organization several
    /// people belong to is stored once. Returns how many memberships were created, or `None`
    /// when the database already had data (and nothing was written).
    pub fn seed_if_empty(
        &self,
        people: &[(User, Vec<Membership>)],
        departures: &[(String, Departure)],
    ) -> StoreResult<Option<usize>> {
        let mut conn = self.conn()?;
        // Read first: a database with data needs no write lock (another process may hold it).
        let has_user: bool =
            conn.query_row("SELECT EXISTS (SELECT 1 FROM users)", [], |row| row.get(0))?;
        if has_user {
            return Ok(None);
        }
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let has_user: bool =
            tx.query_row("SELECT EXISTS (SELECT 1 FROM users)", [], |row| row.get(0))?;
        if has_user {
            return Ok(None);
        }
        let mut count = 0;
        {
            let mut insert_user = tx.prepare(
                "INSERT INTO users (id, display_name, user_principal_name) VALUES (?1, ?2, ?3)",
            )?;
            let mut insert_org = tx.prepare(
                "INSERT OR IGNORE INTO organizations (id, display_name, default_domain,
                     privacy_email, privacy_statement_url, square_logo_url)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            let mut insert_sponsor = tx.prepare(
                "INSERT INTO sponsors (user_id, organization_id, ordinal, display_name, mail)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            let mut insert_departure = tx.prepare(
                "INSERT INTO departures (id, user_id, organization_id, display_name,
                     default_domain, left_at, sponsors, privacy_email, privacy_statement_url)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?;
            let mut insert_domain = tx.prepare(
                "INSERT OR IGNORE INTO organization_domains (organization_id, ordinal, domain)
                 VALUES (?1, ?2, ?3)",
            )?;
            let mut insert_membership = tx.prepare(
                "INSERT INTO memberships (user_id, organization_id, position, tenant_category,
                     joined_at, last_sign_in_at, leave_blocked_reason, name_key)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            let mut insert_access = tx.prepare(
                "INSERT INTO access_items (user_id, organization_id, position, id, kind,
                     display_name, last_used_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for (user, organizations) in people {
                insert_user.execute(params![
                    user.id,
                    user.display_name,
                    user.user_principal_name
                ])?;
                for (position, org) in (1_i64..).zip(organizations) {
                    insert_org.execute(params![
                        org.organization_id,
                        org.display_name,
                        org.default_domain,
                        org.privacy_email,
                        org.privacy_statement_url,
                        org.square_logo_url,
                    ])?;
                    for (ordinal, domain) in (0_i64..).zip(&org.domains) {
                        insert_domain.execute(params![org.organization_id, ordinal, domain])?;
                    }
                    insert_membership.execute(params![
                        user.id,
                        org.organization_id,
                        position,
                        org.category.as_str(),
                        org.joined_at,
                        org.last_sign_in_at,
                        org.leave_block.map(LeaveBlock::as_str),
                        organization_key(&org.display_name, &org.default_domain),
                    ])?;
                    for (ordinal, sponsor) in (0_i64..).zip(&org.sponsors) {
                        insert_sponsor.execute(params![
                            user.id,
                            org.organization_id,
                            ordinal,
                            sponsor.display_name,
                            sponsor.mail,
                        ])?;
                    }
                    for (position, item) in (1_i64..).zip(in_access_order(&org.access)) {
                        insert_access.execute(params![
                            user.id,
                            org.organization_id,
                            position,
                            item.id,
                            item.kind.as_str(),
                            item.display_name,
                            item.last_used_at,
                        ])?;
                    }
                    count += 1;
                }
            }
            // In the order given: the order they are listed in, newest last.
            for (user_id, departure) in departures {
                insert_departure.execute(params![
                    departure.id,
                    user_id,
                    departure.organization_id,
                    departure.display_name,
                    departure.default_domain,
                    departure.left_at,
                    sponsors_json(&departure.sponsors)?,
                    departure.privacy_email,
                    departure.privacy_statement_url,
                ])?;
            }
        }
        tx.commit()?;
        Ok(Some(count))
    }
}

/// Sponsors as a departure keeps them: JSON, in the API's words.
pub(super) fn sponsors_json(sponsors: &[Sponsor]) -> StoreResult<String> {
    serde_json::to_string(sponsors).map_err(|error| StoreError::Failed(error.to_string()))
}
