import {
  defaultAuth0GroupTransformer,
  defaultAuth0UserTransformer,
} from './transformers';

const context = { providerId: 'production', entityName: 'the-name' };

describe('defaultAuth0UserTransformer', () => {
  it('uses the email as display name when the user has no name', async () => {
    const entity = await defaultAuth0UserTransformer(
      { user_id: 'auth0|x', email: 'x@example.com', email_verified: true },
      context,
    );
    expect(entity?.spec.profile).toEqual({
      email: 'x@example.com',
      displayName: 'x@example.com',
    });
    expect(entity?.metadata.name).toBe('the-name');
  });
});

describe('defaultAuth0GroupTransformer', () => {
  it('uses the organization name when it has no display name', async () => {
    const entity = await defaultAuth0GroupTransformer(
      { type: 'organization', organization: { id: 'org_1', name: 'acme' } },
      context,
    );
    expect(entity?.spec).toEqual({
      type: 'organization',
      profile: { displayName: 'acme' },
      children: [],
    });
  });

  it('keeps the role name as it is in Auth0 as display name', async () => {
    const entity = await defaultAuth0GroupTransformer(
      { type: 'role', role: { id: 'rol_1', name: 'SRE On-Call' } },
      context,
    );
    expect(entity?.spec.profile).toEqual({ displayName: 'SRE On-Call' });
    expect(entity?.metadata.description).toBeUndefined();
  });
});
