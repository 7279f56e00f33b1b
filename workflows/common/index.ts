export * from './activity-profiles';
export * from './continue-as-new';
export * from './failures';
export * from './guard';
export * from './operator-view';
