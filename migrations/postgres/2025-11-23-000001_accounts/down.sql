DROP TABLE api_keys;
DROP TABLE sessions;
DROP TABLE verification_tokens;
DROP TABLE users;
DROP TABLE organizations;
