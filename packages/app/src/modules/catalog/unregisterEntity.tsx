import Typography from '@material-ui/core/Typography';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import {
  EntityContextMenuItemBlueprint,
  useEntityPermission,
} from '@backstage/plugin-catalog-react/alpha';
import { catalogEntityDeletePermission } from '@backstage/plugin-catalog-common/alpha';

/** What the backend's permission policy (packages/backend/src/permissionPolicy) allows. */
export const UNREGISTER_DENIED_EXPLANATION =
  'Only its owners or a Backstage admin can unregister it; ask one of them.';

const { data, filterFunction } = EntityContextMenuItemBlueprint.dataRefs;

/**
 * The catalog's own "Unregister entity" item, which on its own is only greyed out when the
 * permission policy says no; this keeps its dialog and adds why underneath.
 */
export const unregisterEntityWithReason = catalogPlugin
  .getExtension('entity-context-menu-item:catalog/unregister-entity')
  .override({
    *factory(originalFactory) {
      const original = originalFactory();
      const item = original.get(data);
      yield data({
        icon: item.icon,
        useProps: () => {
          const props = item.useProps();
          const { loading, allowed } = useEntityPermission(
            catalogEntityDeletePermission,
          );
          if (loading || allowed) {
            return props;
          }
          return {
            ...props,
            disabled: true,
            // One element, so that the menu's row lays the two lines out as one title.
            title: (
              <div style={{ maxWidth: 260, whiteSpace: 'normal' }}>
                {props.title}
                <Typography variant="caption" display="block">
                  {UNREGISTER_DENIED_EXPLANATION}
                </Typography>
              </div>
            ),
          };
        },
      });
      const filter = original.get(filterFunction);
      if (filter) {
        yield filterFunction(filter);
      }
    },
  });
