// @ts-check

/**
 * One row per refresh token being (or recently) exchanged, so that concurrent
 * refreshes of one session, on any replica, make a single call to Auth0.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('auth0_refresh_results', table => {
    table.comment(
      'Results of Auth0 refresh-token exchanges, keyed by a hash of the presented token and encrypted with a key derived from it',
    );
    table.string('token_hash', 64).primary().notNullable();
    table.string('owner', 64).notNullable();
    table.string('status', 16).notNullable();
    table.text('payload');
    table.bigInteger('expires_at').notNullable().index();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('auth0_refresh_results');
};
