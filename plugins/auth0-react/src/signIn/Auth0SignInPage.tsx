import { useCallback, useEffect, useRef, useState } from 'react';
import { UserIdentity } from '@backstage/core-components';
import {
  BackstageUserIdentity,
  configApiRef,
  DiscoveryApi,
  discoveryApiRef,
  IdentityApi,
  useApi,
} from '@backstage/frontend-plugin-api';
import { SignInPageProps } from '@backstage/plugin-app-react';
import {
  Button,
  ButtonProps,
  Card,
  CardBody,
  CardFooter,
  CardHeader,
  Container,
  Flex,
  Text,
} from '@backstage/ui';
import { Auth0AuthApi, auth0AuthApiRef } from '../api/auth0AuthApiRef';
import { offersGuestSignIn } from '../api/authEnvironment';
import { OutageAlert } from '../outage/OutageAlert';
import { describeOutageOnSignInPage } from '../outage/outageTexts';
import { useAuth0Availability } from '../outage/useAuth0Availability';
import { GuestSession } from './GuestSession';
import { describeSignInFailure, SignInFailure } from './signInFailures';
import { SignInFailureNotice } from './SignInFailureNotice';

/**
 * Props of {@link Auth0SignInPage}.
 *
 * @public
 */
export type Auth0SignInPageProps = SignInPageProps & {
  /** A line under the app title, e.g. "Sign in to Example Corp's developer portal". */
  title?: string;
};

type Phase =
  | { kind: 'resuming' }
  /** The silent check could not reach Auth0: wait for the API's retries, then check again. */
  | { kind: 'waiting-for-auth0' }
  | { kind: 'choosing'; failure?: SignInFailure }
  | { kind: 'signing-in'; method: SignInMethod };

type SignInMethod = 'auth0' | 'guest';

/** What a way of signing in says about itself on its card. */
type SignInCardText = {
  heading: string;
  text: string;
  /** The button's label. */
  label: string;
  variant: NonNullable<ButtonProps['variant']>;
};

const SIGN_IN_CARDS: Record<SignInMethod, SignInCardText> = {
  auth0: {
    heading: 'Auth0',
    text: 'Sign in with your company account. Auth0 opens in a new window.',
    label: 'Sign in with Auth0',
    variant: 'primary',
  },
  guest: {
    heading: 'Guest',
    text: 'Local development only: explore without an account. Production does not offer this.',
    label: 'Enter as guest',
    variant: 'secondary',
  },
};

/**
 * The Auth0 sign-in page, for both frontend systems: the new system's sign-in page extension
 * loads it, and a legacy app passes it as `components.SignInPage` of `createApp`. It first resumes an existing session without a
 * popup (a reload, a new tab), then offers "Sign in with Auth0" and, only when
 * `auth.environment` is `development`, guest. A failed attempt shows what happened and what
 * to do next. When the silent check cannot reach Auth0 (the backend answers 503), the page
 * says so instead of offering sign-in, and continues by itself once the API's retries get an
 * answer: signed in, or the sign-in choice if the session was refused.
 *
 * @public
 */
export function Auth0SignInPage(props: Auth0SignInPageProps) {
  const { onSignInSuccess, title } = props;
  const configApi = useApi(configApiRef);
  const discoveryApi = useApi(discoveryApiRef);
  const authApi = useApi(auth0AuthApiRef);
  const guestOffered = offersGuestSignIn(configApi);
  const [phase, setPhase] = useState<Phase>({ kind: 'resuming' });
  const availability = useAuth0Availability(authApi);

  const resume = useCallback(() => {
    setPhase({ kind: 'resuming' });
    resumeSession(authApi, guestOffered, discoveryApi).then(
      identity => {
        if (identity) {
          onSignInSuccess(identity);
        } else if (authApi.getAvailability().status === 'unavailable') {
          setPhase({ kind: 'waiting-for-auth0' });
        } else {
          setPhase({ kind: 'choosing' });
        }
      },
      error =>
        setPhase({ kind: 'choosing', failure: describeSignInFailure(error) }),
    );
  }, [authApi, guestOffered, discoveryApi, onSignInSuccess]);

  // Once per page: React's strict mode runs effects twice in development.
  const resumeStarted = useRef(false);
  useEffect(() => {
    if (resumeStarted.current) {
      return;
    }
    resumeStarted.current = true;
    resume();
  }, [resume]);

  // The API retries by itself; once it has an answer, check again.
  useEffect(() => {
    if (
      phase.kind === 'waiting-for-auth0' &&
      availability.status === 'available'
    ) {
      resume();
    }
  }, [phase.kind, availability.status, resume]);

  const signIn = async (
    method: SignInMethod,
    attempt: () => Promise<IdentityApi>,
  ) => {
    setPhase({ kind: 'signing-in', method });
    try {
      onSignInSuccess(await attempt());
    } catch (error) {
      setPhase({ kind: 'choosing', failure: describeSignInFailure(error) });
    }
  };

  if (
    phase.kind === 'waiting-for-auth0' &&
    availability.status === 'unavailable'
  ) {
    return (
      <Container py="8">
        <Flex direction="column" gap="6">
          <Text as="h1" variant="title-large">
            {configApi.getOptionalString('app.title') ?? 'Backstage'}
          </Text>
          <div role="status">
            <OutageAlert text={describeOutageOnSignInPage(availability)} />
          </div>
        </Flex>
      </Container>
    );
  }

  if (phase.kind === 'resuming' || phase.kind === 'waiting-for-auth0') {
    return (
      <Container py="8">
        <Text as="p" role="status" color="secondary">
          Checking for an existing sign-in…
        </Text>
      </Container>
    );
  }

  const busy = phase.kind === 'signing-in';
  const methods: SignInMethod[] = guestOffered ? ['auth0', 'guest'] : ['auth0'];
  const attempts: Record<SignInMethod, () => Promise<IdentityApi>> = {
    auth0: () => signInWithAuth0(authApi),
    guest: () => GuestSession.signIn(discoveryApi),
  };
  return (
    <Container py="8">
      <Flex direction="column" gap="6">
        <Flex direction="column" gap="2">
          <Text as="h1" variant="title-large">
            {configApi.getOptionalString('app.title') ?? 'Backstage'}
          </Text>
          {title && (
            <Text as="p" variant="body-large" color="secondary">
              {title}
            </Text>
          )}
        </Flex>
        {phase.kind === 'choosing' && phase.failure && (
          <SignInFailureNotice failure={phase.failure} />
        )}
        <Flex gap="4" align="stretch">
          {methods.map(method => (
            <SignInCard
              key={method}
              {...SIGN_IN_CARDS[method]}
              busy={busy}
              pending={busy && phase.method === method}
              onPress={() => signIn(method, attempts[method])}
            />
          ))}
        </Flex>
      </Flex>
    </Container>
  );
}

function SignInCard(
  props: SignInCardText & {
    /** Some sign-in is under way: no button can start another. */
    busy: boolean;
    /** This card's sign-in is the one under way. */
    pending: boolean;
    onPress: () => void;
  },
) {
  return (
    <Card style={{ width: '22rem' }}>
      <CardHeader>
        <Text as="h2" variant="title-x-small">
          {props.heading}
        </Text>
      </CardHeader>
      <CardBody>
        <Text as="p">{props.text}</Text>
      </CardBody>
      <CardFooter>
        <Button
          variant={props.variant}
          isDisabled={props.busy}
          isPending={props.pending}
          onPress={props.onPress}
        >
          {props.label}
        </Button>
      </CardFooter>
    </Card>
  );
}

/** The popup opens at once, without Backstage's "sign-in required" dialog in between. */
async function signInWithAuth0(authApi: Auth0AuthApi): Promise<IdentityApi> {
  const response = await authApi.getBackstageIdentity({ instantPopup: true });
  if (!response) {
    throw new Error(
      'Auth0 signed you in, but the auth backend returned no Backstage identity: the auth0 provider has no sign-in resolvers configured.',
    );
  }
  return toIdentity(authApi, response.identity);
}

/**
 * An existing session: Auth0's refresh cookie (checked silently, never with a popup), else
 * a guest choice remembered in this browser.
 */
async function resumeSession(
  authApi: Auth0AuthApi,
  guestOffered: boolean,
  discoveryApi: DiscoveryApi,
): Promise<IdentityApi | undefined> {
  const response = await authApi.getBackstageIdentity({ optional: true });
  if (response) {
    return toIdentity(authApi, response.identity);
  }
  if (guestOffered && GuestSession.wasChosen()) {
    return GuestSession.signIn(discoveryApi).catch(error => {
      // Not again on the next reload: the person chooses anew.
      GuestSession.forget();
      throw error;
    });
  }
  return undefined;
}

async function toIdentity(
  authApi: Auth0AuthApi,
  identity: BackstageUserIdentity,
): Promise<IdentityApi> {
  const profile = await authApi.getProfile({ optional: true });
  return UserIdentity.create({ identity, authApi, profile });
}
