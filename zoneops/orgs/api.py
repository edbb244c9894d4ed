from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.pagination import paginate

from zoneops.api.pagination import Pagination
from zoneops.api.schemas import Id
from zoneops.common.scope import scope_for
from zoneops.orgs.models import Department, User

router = Router(tags=["orgs"])


class DepartmentOut(Schema):
    id: int
    name: str
    short_name: str
    code: str
    kind: str
    parent_id: int | None
    version: int


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    roles: list[str]
    department_ids: list[int]
    enterprise_id: int | None
    data_scope_everything: bool
    data_scope_department_ids: list[int]


class UserOut(Schema):
    id: int
    username: str
    display_name: str
    title: str
    is_active: bool


@router.get("/me", response=MeOut, summary="当前用户与数据范围")
def me(request):
    user = request.user
    scope = scope_for(user)
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": str(user),
        "roles": sorted(user.roles.values_list("code", flat=True)),
        "department_ids": sorted(user.departments.values_list("pk", flat=True)),
        "enterprise_id": user.enterprise_id,
        "data_scope_everything": scope.everything,
        "data_scope_department_ids": sorted(scope.department_ids),
    }


@router.get("/departments", response=list[DepartmentOut], summary="部门列表")
@paginate(Pagination)
def departments(request):
    return Department.objects.visible_to(request.user).filter(is_active=True)


@router.get("/departments/{int:department_id}", response=DepartmentOut, summary="部门")
def department(request, department_id: Id):
    return get_object_or_404(Department.objects.visible_to(request.user), pk=department_id)


@router.get("/users", response=list[UserOut], summary="用户列表（按数据范围）")
@paginate(Pagination)
def users(request):
    return User.objects.visible_to(request.user).order_by("pk")


@router.get("/users/{int:user_id}", response=UserOut, summary="用户")
def user(request, user_id: Id):
    return get_object_or_404(User.objects.visible_to(request.user), pk=user_id)
