"""
ElastiCache APIs the AWS provider calls for the state store that moto 5.2.1 lacks or leaves half-done, added to
moto's own classes before the server starts (see docs/e2e.md, "moto gaps met"):

- user groups (CreateUserGroup, DescribeUserGroups, ModifyUserGroup, DeleteUserGroup) are not implemented at all;
- DeleteCacheSubnetGroup is not implemented;
- DeleteReplicationGroup marks the group "deleting" and keeps it for ever, so the provider waits for its end in vain;
- CreateReplicationGroup makes one member cluster whatever NumCacheClusters says, keeps AutoMinorVersionUpgrade as
  the string it was sent, and lists member clusters (<id>-001, ...) that DescribeCacheClusters does not know, while the
  provider reads the engine version, encryption, security groups and maintenance window from the first of them;
- ListTagsForResource rejects user-group ARNs (its ARN pattern knows no "usergroup").

(The module's name must not start with "moto": moto looks up an exception's service by its module's name.)
"""

from __future__ import annotations

import inspect
from typing import Any

from moto.core.responses import ActionResult, EmptyResult
from moto.elasticache.exceptions import CacheSubnetGroupNotFound, ElastiCacheException, UserNotFound
from moto.elasticache.models import CacheCluster, ElastiCacheBackend, ReplicationGroup
from moto.elasticache.responses import ElastiCacheResponse


class UserGroupNotFound(ElastiCacheException):
    """The error code the provider's waiters take for "gone"."""

    code = "UserGroupNotFound"

    def __init__(self, user_group_id: str) -> None:
        super().__init__(f"User group {user_group_id} not found.")


class UserGroupAlreadyExists(ElastiCacheException):
    code = "UserGroupAlreadyExists"

    def __init__(self, user_group_id: str) -> None:
        super().__init__(f"User group {user_group_id} already exists.")


def _user_groups(backend: ElastiCacheBackend) -> dict[str, dict[str, Any]]:
    # Kept on the backend instance, so moto's reset (which builds new backends) forgets them too.
    if not hasattr(backend, "e2e_user_groups"):
        backend.e2e_user_groups = {}  # type: ignore[attr-defined]
    return backend.e2e_user_groups  # type: ignore[attr-defined,no-any-return]


def _check_users(backend: ElastiCacheBackend, user_ids: list[str]) -> None:
    for user_id in user_ids:
        if user_id not in backend.users:
            raise UserNotFound(user_id)


def _replication_groups_of(backend: ElastiCacheBackend, user_group_id: str) -> list[str]:
    return [rg.replication_group_id for rg in backend.replication_groups.values() if user_group_id in rg.user_group_ids]


def _described(backend: ElastiCacheBackend, group: dict[str, Any]) -> dict[str, Any]:
    return {**group, "ReplicationGroups": _replication_groups_of(backend, group["UserGroupId"])}


def create_user_group(self: ElastiCacheResponse) -> ActionResult:
    backend = self.elasticache_backend
    groups = _user_groups(backend)
    group_id = self._get_param("UserGroupId")
    if group_id in groups:
        raise UserGroupAlreadyExists(group_id)
    user_ids = self._get_param("UserIds", [])
    _check_users(backend, user_ids)
    arn = f"arn:aws:elasticache:{self.region}:{self.current_account}:usergroup:{group_id}"
    groups[group_id] = {
        "UserGroupId": group_id,
        "Status": "active",
        "Engine": self._get_param("Engine"),
        "UserIds": user_ids,
        "MinimumEngineVersion": "6.0",
        "ServerlessCaches": [],
        "ARN": arn,
    }
    tags = self._get_param("Tags", [])
    if tags:
        backend.tagging_service.tag_resource(arn, tags)
    return ActionResult(_described(backend, groups[group_id]))


def describe_user_groups(self: ElastiCacheResponse) -> ActionResult:
    backend = self.elasticache_backend
    groups = _user_groups(backend)
    group_id = self._get_param("UserGroupId")
    if group_id:
        if group_id not in groups:
            raise UserGroupNotFound(group_id)
        found = [groups[group_id]]
    else:
        found = list(groups.values())
    return ActionResult({"UserGroups": [_described(backend, group) for group in found]})


def modify_user_group(self: ElastiCacheResponse) -> ActionResult:
    backend = self.elasticache_backend
    groups = _user_groups(backend)
    group_id = self._get_param("UserGroupId")
    if group_id not in groups:
        raise UserGroupNotFound(group_id)
    added = self._get_param("UserIdsToAdd", [])
    removed = self._get_param("UserIdsToRemove", [])
    _check_users(backend, added)
    group = groups[group_id]
    group["UserIds"] = [user for user in group["UserIds"] if user not in removed] + [
        user for user in added if user not in group["UserIds"]
    ]
    return ActionResult(_described(backend, group))


def delete_user_group(self: ElastiCacheResponse) -> ActionResult:
    backend = self.elasticache_backend
    groups = _user_groups(backend)
    group_id = self._get_param("UserGroupId")
    if group_id not in groups:
        raise UserGroupNotFound(group_id)
    group = groups.pop(group_id)
    return ActionResult(_described(backend, {**group, "Status": "deleting"}))


def delete_cache_subnet_group(self: ElastiCacheResponse) -> EmptyResult:
    backend = self.elasticache_backend
    name = self._get_param("CacheSubnetGroupName")
    if name not in backend.cache_subnet_groups:
        raise CacheSubnetGroupNotFound(name)
    del backend.cache_subnet_groups[name]
    return EmptyResult()


_ORIGINAL_CREATE = ElastiCacheBackend.create_replication_group
_ORIGINAL_DELETE = ElastiCacheBackend.delete_replication_group
_ORIGINAL_LIST_TAGS = ElastiCacheBackend.list_tags_for_resource
_CLUSTER_PARAMETERS = [name for name in inspect.signature(CacheCluster.__init__).parameters if name != "self"]


def _create_replication_group(self: ElastiCacheBackend, **kwargs: Any) -> ReplicationGroup:
    # moto sizes a non-clustered group by ReplicasPerNodeGroup only: a primary plus NumCacheClusters - 1 replicas.
    if not kwargs.get("replicas_per_node_group") and (kwargs.get("num_cache_clusters") or 0) > 1:
        kwargs["replicas_per_node_group"] = kwargs["num_cache_clusters"] - 1
    upgrade = kwargs.get("auto_minor_version_upgrade")
    if isinstance(upgrade, str):
        kwargs["auto_minor_version_upgrade"] = upgrade.lower() == "true"
    group = _ORIGINAL_CREATE(self, **kwargs)
    members = [member for node_group in group.node_groups for member in node_group["node_group_members"]]
    for member in members:
        settings: dict[str, Any] = dict.fromkeys(_CLUSTER_PARAMETERS)
        settings.update(
            account_id=self.account_id,
            region_name=self.region_name,
            cache_cluster_id=member["cache_cluster_id"],
            replication_group_id=group.replication_group_id,
            preferred_availability_zone=member["preferred_availability_zone"],
            cache_node_type=group.cache_node_type,
            engine=group.engine,
            engine_version=kwargs.get("engine_version"),
            cache_parameter_group_name=kwargs.get("cache_parameter_group_name"),
            cache_subnet_group_name=kwargs.get("cache_subnet_group_name"),
            security_group_ids=kwargs.get("security_group_ids"),
            preferred_maintenance_window=kwargs.get("preferred_maintenance_window"),
            auto_minor_version_upgrade=kwargs.get("auto_minor_version_upgrade"),
            snapshot_retention_limit=kwargs.get("snapshot_retention_limit"),
            snapshot_window=kwargs.get("snapshot_window"),
            transit_encryption_enabled=group.transit_encryption_enabled,
            port=group.port,
            log_delivery_configurations=[],
        )
        cluster = CacheCluster(**settings)
        # Read by the provider from the first member, in the API's shapes, which CacheCluster does not have.
        cluster.at_rest_encryption_enabled = group.at_rest_encryption_enabled  # type: ignore[attr-defined]
        cluster.security_groups = [  # type: ignore[attr-defined]
            {"SecurityGroupId": group_id, "Status": "active"} for group_id in kwargs.get("security_group_ids") or []
        ]
        # CacheCluster keeps these for engine "redis" only.
        cluster.replication_group_id = group.replication_group_id
        cluster.num_cache_nodes = 1
        self.cache_clusters[cluster.cache_cluster_id] = cluster
    return group


def _delete_replication_group(
    self: ElastiCacheBackend, replication_group_id: str, retain_primary_cluster: bool | None
) -> ReplicationGroup:
    # The answer still says "deleting"; the next describe finds nothing, as on AWS once deletion finishes.
    group = _ORIGINAL_DELETE(self, replication_group_id, retain_primary_cluster)
    self.replication_groups.pop(replication_group_id, None)
    for cluster_id in [
        c
        for c, cluster in self.cache_clusters.items()
        if getattr(cluster, "replication_group_id", None) == replication_group_id
    ]:
        del self.cache_clusters[cluster_id]
    return group


def _list_tags_for_resource(self: ElastiCacheBackend, arn: str) -> dict[str, list[dict[str, str]]]:
    if ":usergroup:" in arn:
        return self.tagging_service.list_tags_for_resource(arn)
    return _ORIGINAL_LIST_TAGS(self, arn)


def patch_elasticache() -> None:
    """Adds the missing ElastiCache handlers and fixes deletion and user-group tags (idempotent)."""
    handlers = {
        "create_user_group": create_user_group,
        "describe_user_groups": describe_user_groups,
        "modify_user_group": modify_user_group,
        "delete_user_group": delete_user_group,
        "delete_cache_subnet_group": delete_cache_subnet_group,
    }
    for name, handler in handlers.items():
        if not hasattr(ElastiCacheResponse, name):
            setattr(ElastiCacheResponse, name, handler)
    ElastiCacheBackend.create_replication_group = _create_replication_group  # type: ignore[method-assign,assignment]
    ElastiCacheBackend.delete_replication_group = _delete_replication_group  # type: ignore[method-assign]
    ElastiCacheBackend.list_tags_for_resource = _list_tags_for_resource  # type: ignore[method-assign]
