//! The tables, as diesel sees them. Written by hand from `migrations/`, in column order, using
//! only the SQL types both backends share (see `docs/decisions/0002-persistence.md`).

diesel::table! {
    organizations (id) {
        id -> Text,
        name -> Text,
        plan -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        organization_id -> Text,
        email -> Text,
        email_key -> Text,
        name -> Nullable<Text>,
        password_hash -> Text,
        signup_flow -> Text,
        email_verified_at -> Nullable<Timestamp>,
        subscription_status -> Text,
        plan_expires_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    verification_tokens (token_hash) {
        token_hash -> Text,
        user_id -> Text,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    sessions (token_hash) {
        token_hash -> Text,
        organization_id -> Text,
        user_id -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    api_keys (organization_id, id) {
        organization_id -> Text,
        id -> Text,
        name -> Text,
        environment -> Text,
        prefix -> Text,
        key_hash -> Text,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    clients (organization_id, id) {
        organization_id -> Text,
        id -> Text,
        created_by -> Nullable<Text>,
        name -> Text,
        name_key -> Text,
        slug -> Text,
        display_name -> Nullable<Text>,
        display_name_key -> Nullable<Text>,
        business_type -> Nullable<Text>,
        subscription_plan -> Nullable<Text>,
        status -> Text,
        contact_person -> Nullable<Text>,
        contact_email -> Nullable<Text>,
        phone_number -> Nullable<Text>,
        domain -> Nullable<Text>,
        created_at -> Timestamp,
        last_active_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    client_counts (organization_id, shard) {
        organization_id -> Text,
        shard -> SmallInt,
        n -> BigInt,
    }
}

diesel::table! {
    slug_counters (organization_id, base) {
        organization_id -> Text,
        base -> Text,
        last -> BigInt,
    }
}

diesel::table! {
    idempotency_keys (organization_id, idempotency_key) {
        organization_id -> Text,
        idempotency_key -> Text,
        fingerprint -> Text,
        response_status -> Nullable<Integer>,
        response_body -> Nullable<Binary>,
        locked_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::joinable!(sessions -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    organizations,
    users,
    verification_tokens,
    sessions,
    api_keys,
    clients,
    client_counts,
    slug_counters,
    idempotency_keys,
);
