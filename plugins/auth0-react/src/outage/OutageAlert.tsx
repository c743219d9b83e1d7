import { Text } from '@backstage/ui';
import { ParagraphsAlert } from '../components/ParagraphsAlert';
import { OutageText } from './outageTexts';

/** An outage as a warning with a spinner: what happened, what it means, the backend's detail. */
export function OutageAlert(props: { text: OutageText }) {
  const { title, description, detail } = props.text;
  return (
    <ParagraphsAlert status="warning" isPending title={title} gap="1">
      <Text as="p">{description}</Text>
      <Text as="p" variant="body-small" color="secondary">
        {detail}
      </Text>
    </ParagraphsAlert>
  );
}
