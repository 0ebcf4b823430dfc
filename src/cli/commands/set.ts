/** The group commands several modules register under (`set image-lookup`, `set triggers`, `create imagestream`…). */

/** `isctl set …`. */
export const SET_GROUP = ['set', 'Commands that help set specific features on objects'] as const;

/** `isctl create …`. */
export const CREATE_GROUP = ['create', 'Create a resource in the state folder'] as const;
