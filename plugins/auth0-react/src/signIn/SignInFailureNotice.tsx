import { Text } from '@backstage/ui';
import { ParagraphsAlert } from '../components/ParagraphsAlert';
import { SignInFailure } from './signInFailures';

/** A failed sign-in: what happened, the detail, and what to do next. */
export function SignInFailureNotice(props: { failure: SignInFailure }) {
  const { title, message, advice } = props.failure;
  return (
    <ParagraphsAlert role="alert" status="danger" icon title={title} gap="2">
      <Text as="p">{message}</Text>
      <Text as="p">
        <Text as="strong" weight="bold">
          What to do next:
        </Text>{' '}
        {advice}
      </Text>
    </ParagraphsAlert>
  );
}
