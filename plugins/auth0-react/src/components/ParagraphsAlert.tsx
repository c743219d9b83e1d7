import { ReactNode } from 'react';
import { Alert, AlertProps, Flex, FlexProps } from '@backstage/ui';

/** An alert whose description is its children, paragraphs stacked `gap` apart. */
export function ParagraphsAlert(
  props: Omit<AlertProps, 'description' | 'children'> & {
    gap: FlexProps['gap'];
    children: ReactNode;
  },
) {
  const { gap, children, ...alertProps } = props;
  return (
    <Alert
      {...alertProps}
      description={
        <Flex direction="column" gap={gap}>
          {children}
        </Flex>
      }
    />
  );
}
