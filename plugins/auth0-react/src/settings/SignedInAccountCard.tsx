import { useEffect, useState } from 'react';
import {
  BackstageUserIdentity,
  identityApiRef,
  ProfileInfo,
  useApi,
} from '@backstage/frontend-plugin-api';
import {
  Alert,
  Avatar,
  Button,
  Card,
  CardBody,
  CardFooter,
  CardHeader,
  Flex,
  Text,
} from '@backstage/ui';

type Account = { profile: ProfileInfo; identity: BackstageUserIdentity };

/**
 * Who is signed in: picture, name, email, Backstage user entity and groups, with a sign-out
 * button. On the new frontend system `@backstage-auth0/plugin-user-settings-module-auth0` shows
 * it as the Account tab of the settings page; legacy apps can place it anywhere.
 *
 * @public
 */
export function SignedInAccountCard() {
  const identityApi = useApi(identityApiRef);
  const [account, setAccount] = useState<Account | Error>();

  useEffect(() => {
    let current = true;
    Promise.all([
      identityApi.getProfileInfo(),
      identityApi.getBackstageIdentity(),
    ]).then(
      ([profile, identity]) => current && setAccount({ profile, identity }),
      error =>
        current &&
        setAccount(error instanceof Error ? error : new Error(String(error))),
    );
    return () => {
      current = false;
    };
  }, [identityApi]);

  if (account instanceof Error) {
    return (
      <Alert
        status="danger"
        title="Could not read who is signed in"
        description={account.message}
      />
    );
  }

  const { profile, identity } = account ?? {};
  const name = profile?.displayName ?? identity?.userEntityRef ?? '';
  const groups =
    identity?.ownershipEntityRefs.filter(ref => ref.startsWith('group:')) ?? [];

  return (
    <Card style={{ maxWidth: '40rem' }}>
      <CardHeader>
        <Text as="h2" variant="title-small">
          Signed in as
        </Text>
      </CardHeader>
      <CardBody>
        {account && (
          <Flex gap="6" align="start">
            {profile?.picture ? (
              <img
                src={profile.picture}
                alt={name}
                width={96}
                height={96}
                style={{ borderRadius: '50%' }}
              />
            ) : (
              <Avatar src="" name={name} size="x-large" purpose="decoration" />
            )}
            <Flex direction="column" gap="3">
              <Flex direction="column" gap="1">
                <Text as="h3" variant="title-x-small">
                  {name}
                </Text>
                {profile?.email && (
                  <Text as="p" color="secondary">
                    {profile.email}
                  </Text>
                )}
              </Flex>
              <dl style={{ margin: 0 }}>
                <dt>
                  <Text as="strong" weight="bold">
                    Backstage user
                  </Text>
                </dt>
                <dd style={{ margin: '0 0 0.5rem' }}>
                  <Text as="span">{identity?.userEntityRef}</Text>
                </dd>
                <dt>
                  <Text as="strong" weight="bold">
                    Groups
                  </Text>
                </dt>
                <dd style={{ margin: 0 }}>
                  {groups.length > 0 ? (
                    <ul aria-label="Groups" style={{ margin: 0, padding: 0 }}>
                      {groups.map(ref => (
                        <li key={ref} style={{ listStyle: 'none' }}>
                          <Text as="span">{ref}</Text>
                        </li>
                      ))}
                    </ul>
                  ) : (
                    <Text as="span" color="secondary">
                      None
                    </Text>
                  )}
                </dd>
              </dl>
            </Flex>
          </Flex>
        )}
      </CardBody>
      <CardFooter>
        <Button variant="secondary" onPress={() => identityApi.signOut()}>
          Sign out
        </Button>
      </CardFooter>
    </Card>
  );
}
