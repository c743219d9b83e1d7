import { parse } from 'yaml';

/** One entry of the Azure provider's `objects` parameter: a Key Vault object to fetch. */
export type KeyVaultObject = {
  objectName: string;
  objectType: string;
  /** The file name in the mount, and so the name `secretObjects` refers to; objectName if unset. */
  objectAlias?: string;
};

/** Key Vault's rule for object names: letters, digits and dashes, 1 to 127 characters. */
export const KEY_VAULT_NAME = /^[0-9A-Za-z-]{1,127}$/;

/**
 * Parses the Azure provider's `objects` parameter. It is YAML inside a string: a map with
 * `array`, a list of strings that are each YAML again, one per object.
 */
export function parseKeyVaultObjects(
  objects: string | undefined,
): KeyVaultObject[] {
  if (objects === undefined) {
    throw new Error('the SecretProviderClass has no `objects` parameter');
  }
  const outer = parse(objects) as { array?: unknown } | null;
  if (!outer || !Array.isArray(outer.array)) {
    throw new Error(
      "the `objects` parameter is not a YAML map with an `array` list (the Azure provider's format)",
    );
  }
  return outer.array.map((item, index) => {
    const entry = (
      typeof item === 'string' ? parse(item) : item
    ) as Partial<KeyVaultObject> | null;
    if (
      !entry ||
      typeof entry.objectName !== 'string' ||
      typeof entry.objectType !== 'string'
    ) {
      throw new Error(
        `entry ${
          index + 1
        } of the \`objects\` parameter has no objectName or objectType`,
      );
    }
    return {
      objectName: entry.objectName,
      objectType: entry.objectType,
      ...(entry.objectAlias ? { objectAlias: String(entry.objectAlias) } : {}),
    };
  });
}
