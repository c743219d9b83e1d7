import { useSyncExternalStore } from 'react';
import {
  Auth0Availability,
  Auth0AvailabilityApi,
} from '../api/auth0Availability';

/** The current {@link Auth0Availability}, re-rendering on every change. */
export function useAuth0Availability(
  api: Auth0AvailabilityApi,
): Auth0Availability {
  return useSyncExternalStore(
    listener => api.subscribeToAvailability(listener),
    () => api.getAvailability(),
  );
}
