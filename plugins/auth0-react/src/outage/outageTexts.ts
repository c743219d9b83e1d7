import { Auth0Availability } from '../api/auth0Availability';

type Unavailable = Extract<Auth0Availability, { status: 'unavailable' }>;

/** What a person sees while the session cannot be renewed. */
export type OutageText = {
  title: string;
  /** What it means for them and what happens next. */
  description: string;
  /** The backend's own message, for the platform team. */
  detail: string;
};

const WHO_IS_DOWN = {
  auth0: 'Auth0 is unreachable',
  backstage: "Backstage's sign-in service is not answering",
} as const;

/** The notice over the app: the person is signed in and stays so. */
export function describeOutageInApp(outage: Unavailable): OutageText {
  return {
    title: `${WHO_IS_DOWN[outage.cause]} — you stay signed in; retrying`,
    description:
      outage.session === 'expired'
        ? 'Your sign-in has expired meanwhile, so pages cannot load data until Backstage can renew it. It keeps trying by itself and carries on without a new sign-in; there is no need to reload.'
        : 'Backstage could not renew your sign-in, so it keeps the current one and tries again by itself. Keep working; this notice goes away when renewing works again.',
    detail: outage.message,
  };
}

/** The sign-in page after a reload or in a new tab: whether a session exists is not known yet. */
export function describeOutageOnSignInPage(outage: Unavailable): OutageText {
  return {
    title: `${WHO_IS_DOWN[outage.cause]}, retrying`,
    description:
      'Backstage could not check whether you are signed in. This page tries again by itself and opens Backstage as soon as it can; there is no need to reload. If it lasts more than a few minutes, tell the platform team.',
    detail: outage.message,
  };
}
