// Database tests run against the PostgreSQL on this machine (scripts/ensure-services.sh
// starts it) as well as SQLite.
process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ??=
  'postgresql://postgres@127.0.0.1:5432';
